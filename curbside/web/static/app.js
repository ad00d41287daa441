// Keeps a citation's source card inside the window: it opens beside the citation number,
// shifted left when the number sits near the right edge.
(function () {
  function place(event) {
    var cite = event.target.closest && event.target.closest(".cite");
    if (!cite) return;
    var tip = cite.querySelector(".tip");
    if (!tip) return;
    var rect = cite.getBoundingClientRect();
    var width = Math.min(352, window.innerWidth * 0.8);
    var shift = Math.min(0, window.innerWidth - 12 - rect.left - width);
    tip.style.left = Math.max(shift, 8 - rect.left) + "px";
  }
  document.addEventListener("mouseover", place, true);
  document.addEventListener("focusin", place, true);
})();
