// Small progressive enhancements, loaded from the app itself so the Content-Security-Policy
// needs no inline script or inline event handler. The page loads this file before the CDN's htmx
// and nothing here waits for htmx or for DOMContentLoaded (which waits for every deferred script):
// a CDN that hangs must not switch off what protects data.
(function () {
  // Styles for what only works with JavaScript hang on `html.js`.
  document.documentElement.classList.add("js");

  function enhance(root) {
    root.querySelectorAll(".print-button[hidden]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // A deferred script runs once the document is parsed; fragments that htmx swaps in come later.
  enhance(document);
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });

  // Forms that ask before they submit: <form data-confirm="Really delete?">. Once asked here, the
  // form says so (confirmed=yes) and the server skips its own confirmation page, which is what a
  // browser without JavaScript gets.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (!message) {
      return;
    }
    if (!window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (!form.querySelector('input[name="confirmed"]')) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirmed";
      input.value = "yes";
      form.appendChild(input);
    }
  }, true);
})();
