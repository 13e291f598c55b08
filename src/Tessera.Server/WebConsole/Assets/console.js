// Tessera console: the one script. It only makes the choices of a form that depend on earlier ones (the roles of a
// source and target pair, the instances of a service) update in place: on a change it posts the form to its refresh
// handler, exactly as the form's "Update choices" button does without scripts, and swaps in the form of the answer.
'use strict';

(() => {
  const form = document.querySelector('form[data-refresh-form]');
  if (!form) {
    return;
  }
  const hideButton = () => {
    const button = form.querySelector('[data-refresh-button]');
    if (button) {
      button.hidden = true;
    }
    return button;
  };
  hideButton();
  let pending = null;

  form.addEventListener('change', async (event) => {
    const control = event.target;
    if (!(control instanceof HTMLElement) || !control.matches('[data-refresh]')) {
      return;
    }
    const button = form.querySelector('[data-refresh-button]');
    if (!button) {
      return;
    }
    pending?.abort();
    pending = new AbortController();
    form.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(button.formAction, { method: 'POST', body: new FormData(form), signal: pending.signal });
      const fresh = response.ok
        ? new DOMParser().parseFromString(await response.text(), 'text/html').getElementById(form.id)
        : null;
      if (!fresh) {
        // Signed out meanwhile, or the server said no: the plain post shows why.
        form.requestSubmit(button);
        return;
      }
      // A copy of the list first: adopting a node takes it out of the live childNodes being read.
      const nodes = Array.from(fresh.childNodes);
      form.replaceChildren(...nodes.map((node) => document.adoptNode(node)));
      hideButton();
      document.getElementById(control.id)?.focus();
      const status = document.getElementById('refresh-status');
      if (status) {
        status.textContent = 'The choices were updated.';
      }
    } catch (error) {
      if (error.name !== 'AbortError') {
        form.requestSubmit(button);
      }
    } finally {
      form.removeAttribute('aria-busy');
    }
  });
})();
