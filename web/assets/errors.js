// Form errors, GOV.UK's pattern: a summary at the top linking to each field, and each field's
// message beside it (tied to its control by aria-describedby).
import { h, focusOn } from './dom.js';

/** Removes every error mark under `root` and hides the summary `box`. */
export function clearErrors(root, box) {
  box.hidden = true;
  box.replaceChildren();
  for (const f of root.querySelectorAll('.field--error')) f.classList.remove('field--error');
  for (const m of root.querySelectorAll('.error-message')) m.remove();
  for (const i of root.querySelectorAll('[aria-invalid]')) {
    i.removeAttribute('aria-invalid');
    const hint = i.id && document.getElementById(`${i.id}-hint`);
    if (hint) i.setAttribute('aria-describedby', hint.id);
    else i.removeAttribute('aria-describedby');
  }
}

/** Marks the field of `input` and says `message` under its legend or label. */
export function markField(input, message) {
  const wrapper = input.closest('.field');
  if (!wrapper) return;
  wrapper.classList.add('field--error');
  const id = `${input.id}-error`;
  const anchor = wrapper.querySelector('legend') || wrapper.querySelector('label');
  anchor.after(h('p', { class: 'error-message', id }, message));
  input.setAttribute('aria-invalid', 'true');
  const described = [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', described);
}

/** Fills the summary `box` with `items` ({target, message}; a target is linked) in the order
 * of the fields on the page, shows it and moves focus to it. */
export function showSummary(box, title, items) {
  items.sort((a, b) => {
    if (!a.target || !b.target) return a.target ? -1 : b.target ? 1 : 0;
    return a.target.compareDocumentPosition(b.target) & Node.DOCUMENT_POSITION_PRECEDING ? 1 : -1;
  });
  box.replaceChildren(
    h('h2', {}, title),
    h(
      'ul',
      {},
      items.map(({ target, message }) =>
        h('li', {}, target ? h('a', { href: `#${target.id}`, onclick: (e) => jumpTo(e, target) }, message) : message),
      ),
    ),
  );
  box.hidden = false;
  focusOn(box);
}

function jumpTo(e, target) {
  e.preventDefault();
  const wrapper = target.closest('.field') || target;
  wrapper.scrollIntoView({ block: 'start' });
  target.focus({ preventScroll: true });
}
