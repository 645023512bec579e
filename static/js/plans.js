/* Plan builder: show only the chosen method's parameters once a person picks "Choose the method
   myself". Progressive enhancement: without JavaScript every field stays visible and works. */
(function () {
  "use strict";

  function syncMethodOptions(form) {
    var options = form.querySelector(".method-options");
    if (!options) return;
    var preset = form.querySelector("input[name=preset]:checked");
    var custom = preset && preset.value === "custom";
    options.classList.toggle("is-hidden", !custom);
    var method = form.querySelector("select[name=method]");
    var chosen = method ? method.value : "percent";
    [["percent", "percent"], ["step_mg", "linear"], ["pace", "bands"]].forEach(function (pair) {
      var field = form.querySelector("[name=" + pair[0] + "]");
      var wrapper = field && field.closest(".mb-3");
      if (wrapper) wrapper.classList.toggle("is-hidden", chosen !== pair[1]);
    });
    var liquid = form.querySelector("input[name=liquid]");
    var liquidOptions = form.querySelector(".liquid-options");
    if (liquid && liquidOptions) liquidOptions.classList.toggle("is-hidden", !liquid.checked);
    var end = form.querySelector("input[name=end]:checked");
    var target = form.querySelector("[name=target_daily_mg]");
    var targetWrapper = target && target.closest(".mb-3");
    if (targetWrapper) targetWrapper.classList.toggle("is-hidden", !end || end.value !== "target");
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A save refused on a full page: the list of what stopped it, at the top, takes the focus.
    var errors = document.getElementById("save-errors");
    if (errors) errors.focus();
    document.querySelectorAll("form.plan-builder, form.adjust-form").forEach(function (form) {
      syncMethodOptions(form);
      form.addEventListener("change", function () { syncMethodOptions(form); });
    });
  });
})();
