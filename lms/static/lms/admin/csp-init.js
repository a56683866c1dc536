/* Starts the Wagtail widgets that Wagtail itself would start with inline scripts, which our
   Content-Security-Policy refuses (see lms/admin_csp.py). Each
   <div data-controller="grid-init" data-grid-init-call-value="…" data-grid-init-args-value="[…]">
   names one initialiser from the fixed list below and carries its arguments as JSON. */
(function () {
  "use strict";

  const construct = (name) => (...args) => new window[name](...args);
  const call = (name) => (...args) => window[name](...args);

  const INITIALISERS = {
    InlinePanel: construct("InlinePanel"),
    MultipleChooserPanel: construct("MultipleChooserPanel"),
    Chooser: construct("Chooser"),
    PageChooser: construct("PageChooser"),
    DocumentChooser: construct("DocumentChooser"),
    ImageChooser: construct("ImageChooser"),
    SnippetChooser: construct("SnippetChooser"),
    createTaskChooser: call("createTaskChooser"),
    initDateChooser: call("initDateChooser"),
    initTimeChooser: call("initTimeChooser"),
    initDateTimeChooser: call("initDateTimeChooser"),
  };

  class GridInitController extends window.StimulusModule.Controller {
    static values = { call: String, args: Array };

    connect() {
      const initialise = INITIALISERS[this.callValue];
      // Run once: the element goes, so moving a form (InlinePanel ordering) cannot repeat it.
      this.element.remove();
      if (!initialise) {
        throw new Error("grid-init: unknown initialiser " + this.callValue);
      }
      initialise(...this.argsValue);
    }
  }

  window.wagtail.app.register("grid-init", GridInitController);
})();
