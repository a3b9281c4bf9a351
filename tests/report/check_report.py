#!/usr/bin/python3
"""Opens rapport.html in Debian's headless Chromium, as a reader would, and
checks what the reader gets:

  - nothing asked for the network (every request the page makes is logged
    through the DevTools protocol; the browser also has no usable proxy),
    and the console has no error (a violation of the page's Content
    Security Policy would be one);
  - each map's area in a screenshot is not blank: its coloured pixels are
    counted;
  - the key figures in the page equal those of run.json, and those
    recomputed here from communes.csv;
  - the page is in French, its headings in order, every map an image with a
    text alternative, every table with header cells, no script and no
    image fetched;
  - a screenshot of the first screen is saved for a person to look at.

The browser is driven over the DevTools protocol through a pipe
(--remote-debugging-pipe: JSON messages ended by NUL on file descriptors 3
and 4), with the standard library only. Pixels are read with PyQt5, which
python3-qgis brings.

With --pdf, checks rapport.pdf instead, through pdftotext: the key figures
are in it, every map's title and caption are on the same page (no map cut
across pages), and the pages are A4.

Usage: check_report.py RUN_DIR FIRST_SCREEN.png
       check_report.py --pdf RUN_DIR
Prints one line per check; exit status 1 when any fails."""
import base64
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from PyQt5.QtGui import QImage

failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what, flush=True)
    if not cond:
        failures.append(what)


def plain(text):
    """The report writes thousands and the space before % with no-break
    spaces (U+202F, U+00A0), as French typography asks: compare words."""
    return text.replace('\u202f', ' ').replace('\xa0', ' ')


def check_pdf(run_dir):
    pdf = os.path.join(run_dir, 'rapport.pdf')
    info = subprocess.run(['pdfinfo', pdf], capture_output=True, text=True).stdout
    pages = int([l for l in info.splitlines() if l.startswith('Pages:')][0].split()[1])
    check('594.96 x 841.92 pts (A4)' in info, 'A4 pages (%d)' % pages)
    text = [subprocess.run(['pdftotext', '-f', str(p), '-l', str(p), pdf, '-'],
                           capture_output=True, text=True).stdout.replace('\n', ' ')
            for p in range(1, pages + 1)]
    run = json.load(open(os.path.join(run_dir, 'run.json'), encoding='utf-8'))['chiffres_cles']
    text = [plain(t) for t in text]
    every = ' '.join(text)
    for key in ('population_rurale_trou', 'population_parcours_complet'):
        fr = '{:,}'.format(run[key]).replace(',', ' ')
        check(fr in every, 'the PDF holds %s, %s' % (key, fr))
    maps = {'Communes selon les phases requises couvertes': 'Source : raquette, d',
            'Zones de trou (toutes phases requises)': 'Source : raquette (méthode',
            'Sites des structures et leur portée': 'Source : annuaire des structures',
            'Accessibilité de l\'accompagnement': 'Source : raquette ; indice E2SFCA',
            'Communes dont l\'accompagnement a changé': 'Source : raquette, comparaison'}
    for title, caption in maps.items():
        tp = [i + 1 for i, t in enumerate(text) if title in t]
        cp = [i + 1 for i, t in enumerate(text) if caption in t]
        check(len(tp) >= 1 and len(cp) == 1 and cp[0] in tp,
              'map "%s": title on page %s, caption on page %s' % (title, tp, cp))
    print('%d failure(s)' % len(failures))
    sys.exit(1 if failures else 0)


if sys.argv[1] == '--pdf':
    check_pdf(sys.argv[2])
run_dir, first_png = sys.argv[1], sys.argv[2]


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix='rq-chromium-')
        to_child, from_parent = os.pipe()
        from_child, to_parent = os.pipe()

        def fds():
            a, b = os.dup(to_child), os.dup(to_parent)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            ['/usr/bin/chromium', '--headless', '--no-sandbox', '--disable-gpu',
             '--no-first-run', '--remote-debugging-pipe', '--hide-scrollbars',
             '--proxy-server=127.0.0.1:9', '--user-data-dir=' + self.profile, 'about:blank'],
            pass_fds=(3, 4), preexec_fn=fds, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(to_parent)
        self.w = os.fdopen(from_parent, 'wb', buffering=0)
        self.r = os.fdopen(from_child, 'rb', buffering=0)
        self.buf = b''
        self.next_id = 0
        self.events = []
        self.session = None

    def _read(self):
        while b'\0' not in self.buf:
            chunk = self.r.read(65536)
            if not chunk:
                raise RuntimeError('Chromium closed the pipe')
            self.buf += chunk
        msg, self.buf = self.buf.split(b'\0', 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True):
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session and self.session:
            msg['sessionId'] = self.session
        self.w.write(json.dumps(msg).encode() + b'\0')
        while True:
            m = self._read()
            if m.get('id') == self.next_id:
                if 'error' in m:
                    raise RuntimeError('%s: %s' % (method, m['error']))
                return m['result']
            self.events.append(m)

    def wait_event(self, method, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            for e in self.events:
                if e.get('method') == method:
                    return e
            self.events.append(self._read())
        raise RuntimeError('no ' + method)

    def close(self):
        try:
            self.call('Browser.close', session=False)
        except Exception:
            pass
        self.proc.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)


html = os.path.abspath(os.path.join(run_dir, 'rapport.html'))
size = os.path.getsize(html)
check(size < 3 * 1024 * 1024, 'rapport.html weighs %d bytes, under 3 MB' % size)

b = Browser()
target = b.call('Target.createTarget', {'url': 'about:blank'}, session=False)['targetId']
b.session = b.call('Target.attachToTarget', {'targetId': target, 'flatten': True},
                   session=False)['sessionId']
for domain in ('Page', 'Runtime', 'Network', 'Log'):
    b.call(domain + '.enable')
b.call('Emulation.setDeviceMetricsOverride',
       {'width': 1280, 'height': 900, 'deviceScaleFactor': 1, 'mobile': False})
b.call('Page.navigate', {'url': 'file://' + html})
b.wait_event('Page.loadEventFired')
time.sleep(0.5)  # layout and paint of the SVG

page = json.loads(b.call('Runtime.evaluate', {'returnByValue': True, 'expression': '''
JSON.stringify({
  lang: document.documentElement.lang,
  headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]),
  scripts: document.querySelectorAll('script').length,
  images: document.querySelectorAll('img').length,
  csp: !!document.querySelector('meta[http-equiv="Content-Security-Policy"]'),
  maps: [...document.querySelectorAll('figure.carte')].map(f => {
    const s = f.querySelector('svg'), r = s.getBoundingClientRect();
    const ids = (s.getAttribute('aria-labelledby') || '').split(' ');
    return {id: f.id, x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height,
            role: s.getAttribute('role'),
            labelled: ids.length == 2 && ids.every(i => document.getElementById(i) &&
                                                        document.getElementById(i).textContent),
            desc: (s.querySelector('desc') || {}).textContent || ''};
  }),
  tables: [...document.querySelectorAll('table')].map(t => t.querySelectorAll('th').length),
  figures: Object.fromEntries([...document.querySelectorAll('[data-chiffre]')].map(
      d => [d.dataset.chiffre, +d.dataset.valeur])),
  first: [...document.querySelectorAll('[data-chiffre]')].map(
      d => d.getBoundingClientRect().bottom <= innerHeight),
  phrases: Object.fromEntries([...document.querySelectorAll('li[data-phase]')].map(
      l => [l.dataset.phase, l.querySelector('strong').textContent])),
  height: document.documentElement.scrollHeight,
})'''})['result']['value'])

check(page['lang'] == 'fr', 'lang="fr"')
levels = page['headings']
check(levels and levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])),
      'headings in order: %s' % ''.join(map(str, levels)))
check(page['scripts'] == 0 and page['images'] == 0 and page['csp'],
      'no script, no image, a Content Security Policy')
check(all(n > 0 for n in page['tables']) and len(page['tables']) >= 4,
      '%d tables, each with header cells' % len(page['tables']))
check(len(page['maps']) >= 4, '%d maps' % len(page['maps']))
for m in page['maps']:
    check(m['role'] == 'img' and m['labelled'] and len(m['desc']) > 40,
          '%s: an image with a title and a text alternative' % m['id'])
    shot = b.call('Page.captureScreenshot', {
        'format': 'png', 'captureBeyondViewport': True,
        'clip': {'x': m['x'], 'y': m['y'], 'width': m['w'], 'height': m['h'], 'scale': 1}})
    img = QImage.fromData(base64.b64decode(shot['data']), 'PNG')
    if os.environ.get('RQ_SAVE_MAPS'):  # for a person to look at
        img.save(os.path.join(os.environ['RQ_SAVE_MAPS'], m['id'] + '.png'))
    coloured = total = 0
    for y in range(0, img.height(), 3):
        for x in range(0, img.width(), 3):
            c = img.pixelColor(x, y)
            total += 1
            coloured += (c.red(), c.green(), c.blue()) != (255, 255, 255)
    check(total > 1000 and coloured > total * 0.2,
          '%s: not blank, %d of %d sampled pixels coloured' % (m['id'], coloured, total))
check(all(page['first']), 'the key figures are on the first screen')
shot = b.call('Page.captureScreenshot', {'format': 'png'})
with open(first_png, 'wb') as f:
    f.write(base64.b64decode(shot['data']))

# Network and console, over the whole visit.
b.call('Runtime.evaluate', {'expression': '1'})
requests = [e['params']['request']['url'] for e in b.events
            if e.get('method') == 'Network.requestWillBeSent']
check(requests and all(u.startswith('file://') for u in requests),
      'the page asked for nothing but itself: %s' % [u[:60] for u in requests])
errors = [e for e in b.events
          if (e.get('method') == 'Log.entryAdded' and e['params']['entry']['level'] == 'error')
          or e.get('method') == 'Runtime.exceptionThrown'
          or (e.get('method') == 'Runtime.consoleAPICalled' and
              e['params']['type'] in ('error', 'assert'))]
check(not errors, 'no error in the console: %s' % errors[:3])
b.close()

# The key figures: as run.json gives them, and recomputed from communes.csv.
run = json.load(open(os.path.join(run_dir, 'run.json'), encoding='utf-8'))['chiffres_cles']
for key in ('population_parcours_complet', 'population_rurale_trou', 'zones_trou',
            'communes_sans_accompagnement'):
    check(page['figures'].get(key) == run[key],
          'key figure %s: %s in the page, %s in run.json' % (key, page['figures'].get(key),
                                                            run[key]))
rows = list(csv.DictReader(open(os.path.join(run_dir, 'communes.csv'), encoding='utf-8-sig')))
phases = ('emergence', 'creation', 'consolidation', 'developpement')
pop = sum(int(r['population']) for r in rows)
mine = {
    'population_parcours_complet': sum(int(r['population']) for r in rows
                                       if r['parcours_complet'] == '1'),
    'population_rurale_trou': sum(int(r['population']) for r in rows if r['trou'] == '1'),
    'communes_sans_accompagnement': sum(1 for r in rows if r['nb_phases'] == '0'),
}
for key, value in mine.items():
    check(page['figures'].get(key) == value,
          'key figure %s: %s in the page, %s from communes.csv' % (key, page['figures'].get(key),
                                                                  value))
for p in phases:
    share = sum(int(r['population']) for r in rows if r['phase_' + p] == '0') / pop
    text = ('%.1f %%' % (100 * share)).replace('.', ',')
    check(plain(page['phrases'].get(p, '')) == text,
          'share without %s: %s in the page, %s from communes.csv' % (p, page['phrases'].get(p),
                                                                     text))
print('%d failure(s)' % len(failures))
sys.exit(1 if failures else 0)
