// @ts-check
import { alertBox, h, humanSize, messageOf, replace } from './dom.js';

/** @typedef {import('./api.js').Upload} Upload */

/**
 * A list of running and finished uploads, each with its own progress bar (named by the file), speed
 * and Cancel button; a failed one shows the server's message.
 */
export class Transfers {
  constructor() {
    this.element = h('ul', { class: 'transfers', 'aria-label': 'Transfers' });
  }

  /**
   * Runs one upload and shows it; resolves with the server's answer, or undefined when it failed
   * or was cancelled (the item then says why).
   * @param {string} label what is sent (the file name)
   * @param {number} size
   * @param {(onProgress: (loaded: number, total: number) => void) => Upload} start
   * @returns {Promise<any>}
   */
  async run(label, size, start) {
    const progress = h('progress', { max: size || 1, value: 0, 'aria-label': `Progress of ${label}` });
    const status = h('span', { class: 'muted' }, 'Starting…');
    const cancel = h('button', { type: 'button', class: 'small' }, 'Cancel');
    const item = h(
      'li',
      { role: 'group', 'aria-label': label, class: 'transfer' },
      h('span', { class: 'transfer-name' }, label),
      progress,
      status,
      cancel,
    );
    this.element.prepend(item);
    const startedAt = performance.now();
    const upload = start((loaded, total) => {
      progress.max = total || size || 1;
      progress.value = loaded;
      const seconds = (performance.now() - startedAt) / 1000;
      const speed = seconds > 0 ? `${humanSize(Math.round(loaded / seconds))}/s` : '';
      status.textContent = `${humanSize(loaded)} of ${humanSize(total || size)} · ${speed}`;
    });
    cancel.addEventListener('click', () => upload.abort());
    try {
      const answer = await upload.done;
      progress.value = progress.max;
      status.textContent = `Done · ${humanSize(size)}`;
      cancel.remove();
      setTimeout(() => item.remove(), 4000);
      return answer;
    } catch (error) {
      cancel.remove();
      const message = messageOf(error);
      if (message === 'Cancelled') status.textContent = 'Cancelled';
      else replace(status, alertBox(`${label}: ${message}`));
      const dismiss = h('button', { type: 'button', class: 'small' }, 'Dismiss');
      dismiss.addEventListener('click', () => item.remove());
      item.append(dismiss);
      return undefined;
    }
  }
}
