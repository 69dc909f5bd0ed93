// fieldkit web form: keyboard shortcuts. The form works without this file.
//  - number keys pick a choice of the focused (or first) question by the key shown beside
//    it (its code, or its place in the list); digits typed quickly make one key (10, 96);
//  - Enter on a choice continues, as it does in a text box.
"use strict";
(function () {
  var digits = "";
  var timer = null;

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select") return true;
    if (tag !== "input") return false;
    return target.type !== "radio" && target.type !== "checkbox";
  }

  function choicesNear(target) {
    var set = target && target.closest ? target.closest("fieldset.choices") : null;
    if (!set) set = document.querySelector("#screen fieldset.choices");
    if (!set) return [];
    return Array.prototype.slice.call(set.querySelectorAll("input[type=radio], input[type=checkbox]"));
  }

  function keyed(target, key) {
    return choicesNear(target).filter(function (input) { return input.dataset.key === key; })[0];
  }

  function startsAKey(target, typed) {
    return choicesNear(target).some(function (input) {
      return (input.dataset.key || "").indexOf(typed) === 0;
    });
  }

  function pick(target, key) {
    var input = keyed(target, key);
    if (!input) return false;
    if (input.type === "radio") input.checked = true;
    else input.checked = !input.checked;
    input.focus();
    return true;
  }

  function digitOf(event) {
    var match = /^(?:Digit|Numpad)([0-9])$/.exec(event.code || "");
    return match ? match[1] : null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (event.key === "Enter" && target && target.form && (target.type === "radio" || target.type === "checkbox")) {
      event.preventDefault();
      target.form.requestSubmit(document.getElementById("continue"));
      return;
    }
    if (typing(target)) return;
    var digit = digitOf(event);
    if (digit === null) return;
    digits = startsAKey(target, digits + digit) ? digits + digit : digit;
    clearTimeout(timer);
    timer = setTimeout(function () { digits = ""; }, 800);
    if (pick(target, digits)) event.preventDefault();
  });
})();
