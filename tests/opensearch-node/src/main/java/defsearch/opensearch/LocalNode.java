package defsearch.opensearch;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.percolator.PercolatorPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node in this JVM, with the plugins that a distribution ships as modules loaded
 * from the classpath (see MODULES).
 *
 * <p>Settings come as arguments of the form {@code key=value} (the launcher, node.py, passes
 * path.home, path.data, ports, discovery). The node runs until the process gets SIGTERM or
 * SIGINT, then closes cleanly.
 */
public final class LocalNode {

    /** The modules of a distribution that this node loads from the classpath. */
    static final List<Class<? extends Plugin>> MODULES = List.of(
        Netty4Plugin.class,          // transport-netty4: the transport and HTTP layers
        CommonAnalysisPlugin.class,  // analysis-common: language analyzers, stemmers, filters
        MapperExtrasPlugin.class,    // mapper-extras: rank_feature, scaled_float, ...
        PercolatorPlugin.class,      // percolator: stored queries
        ReindexPlugin.class,         // reindex: _reindex, _update_by_query, _delete_by_query
        PainlessPlugin.class         // lang-painless: scripts
    );

    /** Node's constructor that takes classpath plugins is protected. */
    private static final class PluginNode extends Node {
        PluginNode(Environment environment) {
            super(environment, MODULES, true);
        }
    }

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                System.err.println("usage: LocalNode key=value ...; got " + arg);
                System.exit(2);
            }
            builder.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Settings settings = builder.build();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, java.util.Collections.emptyMap(), null, () -> settings.get("node.name", "local"));

        Node node = new PluginNode(environment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "local-node-shutdown"));
        node.start();
        System.out.println("LocalNode started: " + settings.get("node.name", "local"));
        System.out.flush();
        stopped.await();
    }
}
