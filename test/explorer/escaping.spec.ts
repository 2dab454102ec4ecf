import { escapeHtml, isLoopbackAddress } from '../../lib/explorer/index.js';
import { html } from '../../lib/explorer/html.js';

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::FFFF:127.0.0.2'])('%s is loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each([undefined, '', '192.0.2.2', '10.0.0.1', '128.0.0.1', '::2', '::ffff:10.0.0.1', 'fe80::1', 'localhost', '127.0.0.1.evil'])('%s is not', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });
});

describe('html', () => {
  it('escapes every interpolated value, and keeps nested html markup as markup', () => {
    const hostile = '<script>x()</script>"\'&';
    expect(escapeHtml(hostile)).toBe('&lt;script&gt;x()&lt;/script&gt;&quot;&#39;&amp;');
    expect(html`<p title="${hostile}">${[hostile, html`<b>${hostile}</b>`]}</p>`.value).toBe(
      '<p title="&lt;script&gt;x()&lt;/script&gt;&quot;&#39;&amp;">&lt;script&gt;x()&lt;/script&gt;&quot;&#39;&amp;<b>&lt;script&gt;x()&lt;/script&gt;&quot;&#39;&amp;</b></p>',
    );
  });
});
