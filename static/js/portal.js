// Small progressive enhancements, loaded from the app itself so the Content-Security-Policy
// needs no inline script or inline event handler. The page loads this file before the CDN's htmx
// and nothing here waits for htmx or for DOMContentLoaded (which waits for every deferred script):
// a CDN that hangs must not switch off what protects data.
(function () {
  // Styles for what only works with JavaScript hang on `html.js`.
  document.documentElement.classList.add("js");

  function enhance(root) {
    // "Select all" checkboxes: <input type="checkbox" data-select-all="ids"> ticks every box named ids
    // of its form (hidden without JavaScript, where it could do nothing).
    root.querySelectorAll("input[data-select-all][hidden]").forEach(function (box) {
      box.hidden = false;
      box.addEventListener("change", function () {
        var form = box.form || box.closest("form");
        form.querySelectorAll('input[type="checkbox"][name="' + box.getAttribute("data-select-all") + '"]')
          .forEach(function (other) { other.checked = box.checked; });
      });
    });
    // Copy buttons for a read-only field: <button data-copy-from="field-id" hidden>. Without JavaScript the
    // field is still selectable text; with it the button copies, and the nearby .copy-status says so (or,
    // where the clipboard is refused, leaves the text selected and says how to copy it by hand).
    root.querySelectorAll("button[data-copy-from][hidden]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy-from"));
      if (!field) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var region = button.closest(".card, section, main") || document;
        var status = region.querySelector(".copy-status");
        function say(text) {
          if (status) {
            status.textContent = "";
            status.textContent = text;
          }
        }
        function byHand() {
          field.focus();
          field.select();
          var done = false;
          try {
            done = document.execCommand("copy");
          } catch (error) {
            done = false;
          }
          say(button.getAttribute(done ? "data-copied" : "data-copy-failed"));
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () {
            field.select();
            say(button.getAttribute("data-copied"));
          }, byHand);
        } else {
          byHand();
        }
      });
    });
    // A read-only field to copy from selects all of itself when it gets focus (a click or Tab).
    root.querySelectorAll("input.copy-field[readonly]").forEach(function (field) {
      if (!field.dataset.selectsOnFocus) {
        field.dataset.selectsOnFocus = "yes";
        field.addEventListener("focus", function () { field.select(); });
      }
    });
    root.querySelectorAll(".print-button[hidden]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  var narrow = window.matchMedia("(max-width: 640px)");

  // On a phone the filter panel starts folded, so the results are on the first screen (not when a
  // field has an error to fix).
  function foldFilters(root) {
    if (!narrow.matches) {
      return;
    }
    root.querySelectorAll("details.filter-panel[open]:not([data-keep-open])").forEach(function (panel) {
      panel.open = false;
    });
  }

  // A deferred script runs once the document is parsed; fragments that htmx swaps in come later.
  enhance(document);
  foldFilters(document);
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });

  // After a filter form's results arrive, focus their heading (screen readers announce it, the
  // keyboard carries on from there) and bring it into view; on a phone, fold the filters again.
  document.addEventListener("htmx:afterSettle", function (event) {
    var form = event.target.closest && event.target.closest("form[data-focus-results]");
    if (!form || form.querySelector(".error-slot .error")) {
      return;
    }
    var heading = document.querySelector(form.getAttribute("data-focus-results"));
    if (!heading) {
      return;
    }
    foldFilters(form);
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: "start" });
  });

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

// Copy buttons of the payment panel: <button class="copy-button" data-copy="text" hidden>.
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard) { return; }
  document.querySelectorAll(".copy-button").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var label = button.textContent;
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
});
