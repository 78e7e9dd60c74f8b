// @ts-check
// The login form: POST /api/v1/session sets the HttpOnly session cookie.
import { ApiError, session } from './api.js';
import { byId, showMessage } from './dom.js';
import { waitText } from './format.js';

const section = byId('login');
const form = byId('login-form', HTMLFormElement);
const message = byId('login-message');
const password = byId('login-password', HTMLInputElement);
const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
/** @type {(user: import('./api.js').User) => void} */
let onLogin = () => {};

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!form.reportValidity()) return;
  const data = new FormData(form);
  submit.disabled = true;
  showMessage(message, '');
  try {
    const user = await session.login(String(data.get('customerId')).trim(), String(data.get('email')).trim(), String(data.get('password')));
    password.value = '';
    onLogin(user);
  } catch (err) {
    const text = !(err instanceof ApiError)
      ? 'The collector could not be reached. Please try again.'
      : err.status === 401
        ? 'The customer ID, email or password is not right.'
        : err.status === 429
          ? err.code === 'busy'
            ? 'Other logins are being checked right now. Please try again in a second.'
            : `Too many failed logins. Please wait ${waitText(err.retryAfter ?? 60)} and try again.`
          : `Please check the form: ${err.message}`;
    showMessage(message, text, 'error');
    password.select();
  } finally {
    submit.disabled = false;
  }
});

/**
 * Shows the login form, with an optional reason (e.g. an expired session).
 * @param {string | undefined} reason
 * @param {(user: import('./api.js').User) => void} handler
 */
export function showLogin(reason, handler) {
  onLogin = handler;
  section.hidden = false;
  showMessage(message, reason ?? '', 'error');
  const empty = [...form.querySelectorAll('input')].find((el) => !el.value);
  (empty ?? password).focus();
}

export function hideLogin() {
  section.hidden = true;
}
