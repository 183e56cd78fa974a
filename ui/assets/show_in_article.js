// "Show in article": scroll the article panel to the cited passage and flash it.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.qa-show");
  if (!link) return;
  event.preventDefault();
  const target = document.querySelector(link.getAttribute("href"));
  if (!target) return;
  const box = document.getElementById("qa-article-box");
  if (box && box.querySelector("button[aria-expanded='false']")) box.querySelector("button").click();
  target.scrollIntoView({ behavior: "smooth", block: "center" });
  target.classList.add("qa-flash");
  setTimeout(() => target.classList.remove("qa-flash"), 2000);
});
