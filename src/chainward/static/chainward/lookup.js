// Type-ahead pickers for related records (core/lookups.py): Tom Select, as the pinned
// django-tomselect package ships it, over every <select data-lookup>. The page renders only the
// selected records; the rest come from the field's scoped lookup address, 20 at a time, as the
// person types or scrolls. Keyboard: type, arrows, Enter; Backspace removes the last choice.
(() => {
  const withParams = (address, query, page) => {
    const url = new URL(address, window.location.origin);
    url.searchParams.set("q", query);
    url.searchParams.set("page", String(page));
    return url.pathname + url.search;
  };

  const setup = (select) => {
    if (select.tomselect || !window.TomSelect) return;
    const address = select.dataset.lookup;
    const plugins = { virtual_scroll: {} };
    if (select.multiple) plugins.remove_button = { title: "Remove" };
    else if (!select.required) plugins.clear_button = { title: "Clear" };
    let emptyNote = null;
    let picks = 0; // choices so far: an answer asked for before the last choice is stale
    const label = document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
    new window.TomSelect(select, {
      plugins,
      valueField: "id",
      labelField: "label",
      searchField: ["label"],
      optgroupField: "group",
      optgroupValueField: "value",
      optgroupLabelField: "label",
      lockOptgroupOrder: true,
      maxOptions: null,
      preload: "focus",
      loadThrottle: 250,
      closeAfterSelect: !select.multiple,
      hidePlaceholder: select.multiple,
      placeholder: select.multiple ? "Type to search…" : undefined,
      // The server searched (references, codes, cities too): show every option it sent.
      score: () => () => 1,
      shouldLoad: () => true,
      firstUrl: (query) => withParams(address, query, 1),
      load(query, callback) {
        // Tom Select opens the list for every answer while the picker has the focus. In a
        // single picker, an answer that arrives after the person chose a record (the list
        // asked on focus, a search typed before the choice, on a slow server) would open the
        // list again over the next fields, where their next click picks one of its records.
        // Its options are kept; the list stays shut. (Closing it after the fact is not
        // enough: opening gives the picker the focus, and Tom Select's deferred focus handling
        // opens the list again a tick later.) Tom Select opens the list for an answer only
        // when it believes the picker focused.
        const pickedBefore = picks;
        const answer = (...found) => {
          if (select.multiple || picks === pickedBefore) return callback(...found);
          const focused = this.isFocused;
          this.isFocused = false;
          try {
            return callback(...found);
          } finally {
            this.isFocused = focused;
          }
        };
        fetch(this.getUrl(query), { credentials: "same-origin",
                                    headers: { Accept: "application/json" } })
          .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
          .then((data) => {
            if (data.more) this.setNextUrl(query, withParams(address, query, data.page + 1));
            emptyNote = data.empty || null;
            const groups = [];
            (data.results || []).forEach((item) => {
              if (item.group && !groups.some((g) => g.value === item.group)) {
                groups.push({ value: item.group, label: item.group });
              }
            });
            answer(data.results || [], groups);
          })
          .catch(() => answer());
      },
      render: {
        no_results(data, escape) {
          if (!data.input && emptyNote) {
            const link = emptyNote.url
              ? ` <a href="${escape(emptyNote.url)}">${escape(emptyNote.link)}</a>` : "";
            return `<div class="no-results">${escape(emptyNote.text)}${link}</div>`;
          }
          return `<div class="no-results">Nothing matches “${escape(data.input)}”.</div>`;
        },
        loading_more: () => '<div class="loading-more-results py-2 d-flex align-items-center">' +
          '<div class="spinner-border spinner-border-sm me-2" role="status"></div>Loading more…</div>',
        no_more_results: () => '<div class="no-more-results small text-body-secondary">No more results</div>',
      },
      onItemAdd() {
        picks += 1;
        // Several records: the search box empties for the next one.
        if (select.multiple) this.setTextboxValue("");
      },
      onInitialize() {
        // The visible search box and the <select> it stands for (hidden but still in the
        // accessibility tree, and what the form submits) are both named by the field's own
        // label: Tom Select moves the label's `for` to its search box and gives the label an
        // id, so the select points back at it. A select without a <label> keeps its own
        // aria-label or title, and the search box takes that name too.
        const name = label ? label.textContent.trim()
          : (select.getAttribute("aria-label") || select.title || "");
        if (label && label.id) select.setAttribute("aria-labelledby", label.id);
        if (name && this.control_input) this.control_input.setAttribute("aria-label", name);
        // Tom Select handles a focus it gave itself one tick later (focus(): setTimeout →
        // onFocus). If the person moved on in that tick (a click elsewhere just as a late
        // lookup answer opened the list), that deferred handler would open the list again and
        // take the focus back from the field the person is in. Only a focus still inside the
        // picker counts.
        // And a press anywhere outside the picker closes an open list, whatever Tom Select
        // believes about the focus at that moment (CI once saw a list stay open after a click
        // on the page's heading while a lookup answer arrived).
        const holdsFocus = () => this.wrapper.contains(document.activeElement);
        document.addEventListener("mousedown", (event) => {
          if (this.isOpen && !this.wrapper.contains(event.target)
              && !this.dropdown.contains(event.target)) this.close();
        }, true);
        // Every choice of the person counts, the record already chosen included (Tom Select
        // adds no item then, but closes the list all the same).
        // A choice also ends the search being typed: Tom Select handles typing 300 ms after
        // the last key (search, then refresh the list and open it). A person quick to choose
        // from the list already shown would otherwise see it open again after they left.
        // (A choice as Tom Select takes it: an option with a value or "create", outside a
        // disabled group; a click on a row without a value chooses nothing.)
        this.hook("after", "onOptionSelect", (event, option) => {
          const chose = option && !(option.parentElement
            && option.parentElement.matches("[data-disabled]"))
            && (option.classList.contains("create") || option.dataset.value !== undefined);
          if (!chose) return;
          picks += 1;
          if (this.refreshTimeout) {
            window.clearTimeout(this.refreshTimeout);
            this.refreshTimeout = null;
          }
        });
        // And whatever asks for a refresh, the list opens only for the picker holding the
        // focus (a refresh for a picker the person has left keeps its list shut).
        const refreshOptions = this.refreshOptions;
        this.hook("instead", "refreshOptions", (triggerDropdown = true) => refreshOptions.call(
          this, triggerDropdown && holdsFocus()));
        const onFocus = this.onFocus;
        this.hook("instead", "onFocus", (event) => {
          if (holdsFocus()) return onFocus.call(this, event);
          this.isFocused = false;
          return undefined;
        });
      },
    });
  };

  const setupAll = (root) => {
    if (root && root.querySelectorAll) root.querySelectorAll("select[data-lookup]").forEach(setup);
  };
  document.addEventListener("DOMContentLoaded", () => setupAll(document));
  // Forms swapped in by htmx get their pickers too.
  document.addEventListener("htmx:load", (event) => setupAll(event.detail.elt));
})();
