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
// events, read from the body of a POST: a GET never makes an answer) and opens the article
// once it is verified. Without script, the form posts as usual.
(function () {
  var form = document.querySelector("form.ask[data-stream]");
  if (!form || !window.fetch || !window.TextDecoder) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var status = form.querySelector(".progress");
    var button = form.querySelector("button[type=submit]");
    var body = new URLSearchParams(new FormData(form));
    var finished = false;
    button.disabled = true;
    status.classList.remove("failed");
    status.textContent = "Starting…";
    function fail(message) {
      finished = true;
      button.disabled = false;
      status.textContent = message;
      status.classList.add("failed");
    }
    function handle(kind, data) {
      if (kind === "status") status.textContent = data + "…";
      else if (kind === "done") { finished = true; window.location.assign(data); }
      else if (kind === "error") fail(data);
    }
    fetch(form.dataset.stream, {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok || !response.body) {
          return response.json().then(function (e) { fail(e.detail); },
                                      function () { fail("The server refused the question (" + response.status + ")."); });
        }
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) {
              if (!finished) fail("The connection to the server was lost; try again.");
              return;
            }
            buffer += decoder.decode(chunk.value, {stream: true});
            var events = buffer.split("\n\n");
            buffer = events.pop();
            events.forEach(function (block) {
              var kind = "", data = "";
              block.split("\n").forEach(function (line) {
                if (line.indexOf("event: ") === 0) kind = line.slice(7);
                else if (line.indexOf("data: ") === 0) data = JSON.parse(line.slice(6));
              });
              handle(kind, data);
            });
            return pump();
          });
        }
        return pump();
      })
      .catch(function () { fail("The connection to the server was lost; try again."); });
  });
})();
