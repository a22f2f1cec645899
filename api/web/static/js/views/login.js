// 登录 Sign-in.
import { api, forgetClock } from '../api.js';
import { h } from '../dom.js';

export async function render(root, _params, { navigate, home }) {
  const error = h('div', { class: 'form-summary', role: 'alert', hidden: true });
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit', class: 'btn primary wide' }, '登录 Sign in');
  const form = h('form', {
    class: 'login-card',
    async onsubmit(e) {
      e.preventDefault();
      error.hidden = true;
      button.disabled = true;
      try {
        await api.login(user.value.trim(), pass.value);
        forgetClock();
        navigate(home());
      } catch (err) {
        error.hidden = false;
        error.textContent = err.status === 401
          ? '用户名或密码错误。Wrong username or password.'
          : `登录失败：${err.message}`;
      } finally {
        button.disabled = false;
      }
    },
  },
  h('h1', {}, '清违 违法建设查处系统'),
  h('p', { class: 'muted' }, 'Qingwei — illegal-construction enforcement'),
  error,
  h('div', { class: 'field' }, h('label', { for: 'username' }, '用户名 Username'), user),
  h('div', { class: 'field' }, h('label', { for: 'password' }, '密码 Password'), pass),
  button);
  root.append(h('div', { class: 'login-wrap' }, form));
  user.focus();
}
