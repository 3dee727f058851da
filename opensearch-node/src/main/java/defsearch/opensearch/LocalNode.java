package defsearch.opensearch;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node in this JVM, with the plugins that a distribution ships as modules loaded
 * from the classpath: Netty4 (transport and HTTP) and the common analysis module.
 *
 * <p>Settings come as arguments of the form {@code key=value} (the launcher, node.py, passes
 * path.home, path.data, ports, discovery). The node runs until the process gets SIGTERM or
 * SIGINT, then closes cleanly.
 */
public final class LocalNode {

    /** Node's constructor that takes classpath plugins is protected. */
    private static final class PluginNode extends Node {
        PluginNode(Environment environment) {
            super(environment, List.of(Netty4Plugin.class, CommonAnalysisPlugin.class), true);
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
