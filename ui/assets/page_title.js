// The browser tab's title follows the page's heading, which is in the page's language.
new MutationObserver(() => {
  const heading = document.querySelector("#qa-title h2");
  if (heading && document.title !== heading.textContent) document.title = heading.textContent;
}).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
