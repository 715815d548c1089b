// "Users and roles" (admin): the staff logins, a new one (email, password, role; a
// practitioner login linked to its practitioner) and a role changed. An admin cannot change
// their own role (the API refuses it; the page does not offer it).
import { h } from '../dom.js';
import { SessionEnded } from './session.js';
import { explain, ROLE_NAMES } from './words.js';

const ROLES = ['admin', 'reception', 'practitioner'];

export function createUsers(app) {
  const title = h('h1', { id: 'title', tabindex: '-1' }, 'Users and roles');
  const status = h('div', { role: 'status', class: 'status-slot' });
  const alert = h('div', { role: 'alert', class: 'alert-slot' });
  const list = h('div');
  const addSlot = h('div');
  const el = h(
    'section',
    { class: 'admin-view users', 'aria-labelledby': 'title' },
    title,
    status,
    alert,
    h('section', { 'aria-labelledby': 'users-title' }, h('h2', { id: 'users-title' }, 'Staff users'), list),
    addSlot,
  );
  let practitioners = [];

  const fail = (e, slot = alert) => {
    if (e instanceof SessionEnded) return;
    slot.replaceChildren(h('p', { class: 'notice error' }, explain(e)));
  };
  const practitionerName = (id) => practitioners.find((p) => p.id === id)?.name || 'a practitioner';

  /** A role select and, for the practitioner role, which practitioner (ids made from `key`). */
  function roleControls(key, role, practitionerId) {
    const roleSelect = h('select', { id: `${key}-role` }, ROLES.map((r) => h('option', { value: r }, ROLE_NAMES[r])));
    roleSelect.value = role;
    const who = h(
      'select',
      { id: `${key}-practitioner` },
      h('option', { value: '' }, 'None'),
      practitioners.map((p) => h('option', { value: p.id }, p.name)),
    );
    who.value = practitionerId || '';
    const whoField = h('div', { class: 'field' }, h('label', { for: `${key}-practitioner` }, 'Practitioner'), h('span', { class: 'hint' }, 'The practitioner this login is; their calendar is theirs.'), who);
    const sync = () => {
      whoField.hidden = roleSelect.value !== 'practitioner';
    };
    roleSelect.addEventListener('change', sync);
    sync();
    return {
      roleField: h('div', { class: 'field' }, h('label', { for: `${key}-role` }, 'Role'), roleSelect),
      whoField,
      value: () => ({ role: roleSelect.value, practitioner_id: roleSelect.value === 'practitioner' && who.value ? who.value : null }),
    };
  }

  async function load() {
    const users = await app.call('/api/v1/staff/users');
    users.sort((a, b) => a.email.localeCompare(b.email));
    const me = (app.session.email || '').toLowerCase();
    list.replaceChildren(
      h(
        'ul',
        { class: 'cards' },
        users.map((u, i) => {
          const self = u.email.toLowerCase() === me;
          const heading = h('h3', { id: `user-${i}` }, u.email);
          const facts = h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Role'),
            h('dd', {}, ROLE_NAMES[u.role] || u.role),
            u.practitioner_id ? [h('dt', {}, 'Practitioner'), h('dd', {}, practitionerName(u.practitioner_id))] : null,
          );
          if (self) {
            return h('li', { class: 'card', 'data-user': u.email }, heading, facts, h('p', { class: 'muted' }, 'This is you: an admin cannot change their own role.'));
          }
          const c = roleControls(`u${i}`, u.role, u.practitioner_id);
          const problems = h('div', { role: 'alert', class: 'alert-slot' });
          const change = h('button', { type: 'submit', 'aria-describedby': `user-${i}` }, 'Change role');
          const form = h('form', { novalidate: true, 'aria-labelledby': `user-${i}` }, c.roleField, c.whoField, problems, change);
          form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            problems.replaceChildren();
            change.disabled = true;
            try {
              const r = await app.call(`/api/v1/staff/users/${u.id}/role`, { method: 'PUT', body: c.value() });
              status.textContent = `${r.email} is now ${ROLE_NAMES[r.role] || r.role}.`;
              await load();
              title.focus();
            } catch (e) {
              change.disabled = false;
              fail(e, problems);
            }
          });
          return h('li', { class: 'card', 'data-user': u.email }, heading, facts, form);
        }),
      ),
    );
  }

  function addForm() {
    const problems = h('div', { role: 'alert', class: 'alert-slot' });
    const email = h('input', { type: 'email', id: 'new-email', autocomplete: 'off' });
    const password = h('input', { type: 'password', id: 'new-password', autocomplete: 'new-password', 'aria-describedby': 'new-password-hint' });
    const c = roleControls('new', 'reception', null);
    const add = h('button', { type: 'submit' }, 'Add the user');
    const form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'add-user-title' },
      h('h2', { id: 'add-user-title' }, 'Add a user'),
      h('div', { class: 'field' }, h('label', { for: 'new-email' }, 'Email'), email),
      h('div', { class: 'field' }, h('label', { for: 'new-password' }, 'Password'), h('span', { class: 'hint', id: 'new-password-hint' }, 'At least 10 characters. Tell it to the person; they sign in with it.'), password),
      c.roleField,
      c.whoField,
      problems,
      h('div', { class: 'actions' }, add),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      problems.replaceChildren();
      add.disabled = true;
      try {
        const v = c.value();
        const body = { email: email.value.trim(), password: password.value, role: v.role };
        if (v.practitioner_id) body.practitioner_id = v.practitioner_id;
        const r = await app.call('/api/v1/staff/users', { method: 'POST', body });
        status.textContent = `${r.email} can now sign in as ${ROLE_NAMES[r.role] || r.role}.`;
        email.value = '';
        password.value = '';
        await load();
        title.focus();
      } catch (e) {
        fail(e, problems);
      } finally {
        add.disabled = false;
      }
    });
    return form;
  }

  return {
    el,
    async start() {
      try {
        practitioners = await app.call('/api/v1/staff/practitioners');
        addSlot.replaceChildren(addForm());
        await load();
      } catch (e) {
        fail(e);
      }
    },
    stop() {},
  };
}
