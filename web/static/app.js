// Small conveniences; every page works without them.
"use strict";

// "/" focuses the search box, as on most search sites, unless the user is typing already.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
  const box = document.querySelector("[data-search-box]");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});

// Leave empty filters out of the URL: /search?q=С-400 rather than ?q=С-400&lang=&source=…
document.addEventListener("submit", (event) => {
  for (const field of event.target.querySelectorAll("input, select")) {
    if (field.name && field.name !== "q" && field.value === "") field.disabled = true;
  }
  // Re-enable after the navigation starts so that "back" shows a usable form.
  setTimeout(() => {
    for (const field of event.target.querySelectorAll("[disabled]")) field.disabled = false;
  }, 0);
});
