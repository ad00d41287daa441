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

// With a language model composing, the ask form follows the work as it happens (server-sent
// events) and opens the article once it is verified. Without script, the form posts as usual.
(function () {
  var form = document.querySelector("form.ask[data-stream]");
  if (!form || !window.EventSource) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var status = form.querySelector(".progress");
    var button = form.querySelector("button[type=submit]");
    var data = new FormData(form);
    var query = new URLSearchParams({question: data.get("question") || "",
                                     reader: data.get("reader") || "clinician"});
    var source = new EventSource(form.dataset.stream + "?" + query.toString());
    button.disabled = true;
    status.textContent = "Starting…";
    source.addEventListener("status", function (e) { status.textContent = JSON.parse(e.data) + "…"; });
    source.addEventListener("done", function (e) { source.close(); window.location.assign(JSON.parse(e.data)); });
    source.addEventListener("error", function (e) {
      source.close();
      button.disabled = false;
      status.textContent = e.data ? JSON.parse(e.data) : "The connection to the server was lost; try again.";
      status.classList.add("failed");
    });
  });
})();
