// /manage#<secret>: until the full manage page arrives, a kind page with the clinic's phone.
// The secret stays in the fragment; this page neither reads nor sends it yet.
import { loadClinic } from './clinic.js';
import { h, fill } from './dom.js';

loadClinic()
  .then(({ clinic, t }) => {
    document.title = `${t.pageTitleManage} – ${clinic.name}`;
    document.getElementById('title').textContent = t.pageTitleManage;
    document
      .getElementById('loading')
      .replaceWith(h('p', { class: 'lead' }, fill(t.manageSoon, { phone: clinic.phone, email: clinic.email })));
  })
  .catch((e) => {
    console.error(e);
    const loading = document.getElementById('loading');
    if (loading) loading.textContent = 'This page could not load. Please call the clinic.';
  });
