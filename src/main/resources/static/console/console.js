// The delivery console: a client signs in with its API key and reads and acts on its webhook and deliveries
// through the same JSON API everyone uses. Everything from the API is rendered as text (textContent), never as
// markup; the page's Content-Security-Policy allows this file and nothing inline.
'use strict';

(function () {
    const KEY = 'document-webhooks.api-key';
    const PAGE_SIZE = 20;
    const $ = (id) => document.getElementById(id);

    let webhook = null;
    let nextCursor = null;
    let openDelivery = null;
    let shownQuery = null; // the filters of the list shown, kept for its next pages
    let session = 0; // counts sign-ins and sign-outs: an answer to an earlier session is dropped

    // --- the API

    /** An answer other than 2xx: {@code status}, and the problem document's detail as the message. */
    function ApiError(status, problem) {
        this.status = status;
        this.message = (problem && (problem.detail || problem.title)) || ('HTTP ' + status);
    }

    /** Calls the API with the key; resolves to the parsed JSON answer (null when empty), rejects with ApiError. */
    function api(method, path, body) {
        const key = sessionStorage.getItem(KEY);
        if (!key) {
            return new Promise(() => {}); // signed out: nothing to ask, nothing to show
        }
        const asked = session;
        const headers = {'IDEXA-API-KEY': key, 'Accept': 'application/json'};
        const init = {method: method, headers: headers, credentials: 'omit', cache: 'no-store'};
        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
            init.body = JSON.stringify(body);
        }
        return fetch(path, init).catch(function () {
            throw new ApiError(0, {detail: 'The service cannot be reached; try again in a moment.'});
        }).then(function (response) {
            if (asked !== session) {
                return new Promise(() => {}); // the session that asked is over: the answer is not shown
            }
            return response.text().then(function (text) {
                let json = null;
                try {
                    json = text ? JSON.parse(text) : null;
                } catch (e) {
                    json = null;
                }
                if (!response.ok) {
                    throw new ApiError(response.status, json);
                }
                return json;
            });
        });
    }

    // --- rendering helpers: text only

    function el(tag, text, className) {
        const node = document.createElement(tag);
        if (text !== undefined && text !== null) {
            node.textContent = String(text);
        }
        if (className) {
            node.className = className;
        }
        return node;
    }

    function clear(node) {
        while (node.firstChild) {
            node.removeChild(node.firstChild);
        }
    }

    function field(list, name, value) {
        list.appendChild(el('dt', name));
        const dd = el('dd', value === null || value === undefined || value === '' ? '—' : value);
        list.appendChild(dd);
    }

    function when(iso) {
        return iso ? new Date(iso).toLocaleString() : '—';
    }

    function say(text, isError) {
        const message = $('message');
        message.textContent = text || '';
        message.className = isError ? 'message error' : 'message';
    }

    function failed(error) {
        if (error instanceof ApiError && error.status === 401) {
            signOut('Your API key was not accepted. Sign in again.');
            return;
        }
        say(error.message, true);
    }

    // --- sign in and out

    function signIn(event) {
        event.preventDefault();
        const key = $('api-key').value.trim();
        if (!key) {
            return;
        }
        sessionStorage.setItem(KEY, key);
        $('api-key').value = '';
        api('GET', '/document_webhooks/deliveries?limit=1').then(showApp, (error) => {
            sessionStorage.removeItem(KEY);
            $('sign-in-error').textContent = error.status === 401
                ? 'This API key was not accepted.'
                : 'Signing in failed: ' + error.message;
        });
    }

    function signOut(reason) {
        session++;
        sessionStorage.removeItem(KEY);
        webhook = null;
        openDelivery = null;
        $('app').hidden = true;
        $('sign-out').hidden = true;
        $('sign-in').hidden = false;
        $('sign-in-error').textContent = typeof reason === 'string' ? reason : '';
        clear($('webhook-fields'));
        clear($('deliveries').tBodies[0]);
        clear($('attempts'));
        $('secret-key').textContent = '';
        $('secret-public-key').textContent = '';
        $('secret').hidden = true;
        $('detail').hidden = true;
        $('detail-id').textContent = '';
        clear($('detail-fields'));
        say('');
    }

    function showApp() {
        session++;
        $('sign-in').hidden = true;
        $('sign-in-error').textContent = '';
        $('app').hidden = false;
        $('sign-out').hidden = false;
        loadWebhook();
        loadDeliveries(false);
        loadStats();
    }

    // --- the webhook

    function loadWebhook() {
        const fields = $('webhook-fields');
        clear(fields);
        $('secret').hidden = true;
        return api('GET', '/document_webhooks').then(showWebhook, (error) => {
            webhook = null;
            $('webhook-actions').hidden = true;
            $('no-webhook').hidden = !(error instanceof ApiError && error.status === 404);
            if ($('no-webhook').hidden) {
                failed(error);
            }
        });
    }

    function showWebhook(shown) {
        webhook = shown;
        const fields = $('webhook-fields');
        clear(fields);
        $('no-webhook').hidden = true;
        $('webhook-actions').hidden = false;
        field(fields, 'Name', webhook.name);
        field(fields, 'Id', webhook.id);
        field(fields, 'Call', webhook.method + ' ' + webhook.url);
        const headers = webhook.headers ? Object.keys(webhook.headers).map((k) => k + ': ' + webhook.headers[k]) : [];
        field(fields, 'Headers', headers.join(' · '));
        field(fields, 'Authorization', webhook.authorization
            || (webhook.authorizationUrl ? 'token from ' + webhook.authorizationMethod + ' '
                + webhook.authorizationUrl : null));
        field(fields, 'Updated', when(webhook.updatedAt));
        loadState();
    }

    function loadState() {
        const state = $('webhook-state');
        return api('GET', '/document_webhooks/' + webhook.id + '/status').then((status) => {
            state.hidden = false;
            state.textContent = 'Endpoint ' + status.state
                + (status.reason ? ': ' + status.reason : '')
                + (status.lastSuccessAt ? ' · last success ' + when(status.lastSuccessAt) : '')
                + (status.consecutiveFailures ? ' · ' + status.consecutiveFailures + ' failures in a row' : '');
            state.className = 'state ' + String(status.state).toLowerCase();
            $('enable').hidden = status.state !== 'DISABLED';
        }, () => {
            state.hidden = true; // no endpoint state to show
            $('enable').hidden = true;
        });
    }

    function showKeys(secret) {
        $('secret-key').textContent = secret.key;
        $('secret-public-key').textContent = secret.publicKey || '(not sent)';
        $('secret').hidden = false;
    }

    function showSecret() {
        api('GET', '/document_webhooks/' + webhook.id + '/secret').then(showKeys, failed);
    }

    function rotateSecret() {
        if (!confirm('Make a new signing secret? The current one keeps signing beside it during the overlap.')) {
            return;
        }
        // Nothing chosen keeps the webhook's signatures as they are (a rotation never turns v1a off unasked). Always
        // a JSON body: a POST without one goes out as a form from some engines, which the API refuses (415).
        const signatures = $('rotate-signatures').value;
        const body = signatures === '' ? {} : {asymmetric: signatures === 'v1a'};
        api('POST', '/document_webhooks/' + webhook.id + '/secret/rotate', body).then((secret) => {
            showKeys(secret);
            say('Signing secret rotated.');
        }, failed);
    }

    function sendTest() {
        if (!confirm('Send a test delivery with a sample document to ' + webhook.url + '?')) {
            return;
        }
        api('POST', '/document_webhooks/test').then((accepted) => {
            say('Test delivery ' + accepted.deliveryId + ' sent.');
            return loadDeliveries(false);
        }, failed);
    }

    function enable() {
        if (!confirm('Enable the endpoint? Held deliveries are sent to it.')) {
            return;
        }
        api('POST', '/document_webhooks/' + webhook.id + '/enable').then(() => {
            say('Endpoint enabled.');
            loadState();
            return loadDeliveries(false);
        }, failed);
    }

    // --- the log

    function query() {
        const params = new URLSearchParams();
        params.set('limit', String(PAGE_SIZE));
        if ($('filter-status').value) {
            params.set('status', $('filter-status').value);
        }
        if ($('filter-document').value.trim()) {
            params.set('documentId', $('filter-document').value.trim());
        }
        if ($('filter-before').value) {
            params.set('before', new Date($('filter-before').value).toISOString());
        }
        return params;
    }

    function loadDeliveries(more) {
        if (!more || !shownQuery) {
            shownQuery = query();
        }
        const params = new URLSearchParams(shownQuery.toString());
        if (more && nextCursor) {
            params.set('cursor', nextCursor);
        }
        return api('GET', '/document_webhooks/deliveries?' + params.toString())
            .then((page) => showDeliveries(page, more), failed);
    }

    function showDeliveries(page, more) {
        const body = $('deliveries').tBodies[0];
        if (!more) {
            clear(body);
        }
        for (const item of page.items) {
            body.appendChild(row(item));
        }
        nextCursor = page.nextCursor;
        $('more').hidden = !nextCursor;
        $('no-deliveries').hidden = body.rows.length > 0;
    }

    function row(item) {
        const tr = document.createElement('tr');
        tr.appendChild(el('td', when(item.createdAt)));
        tr.appendChild(el('td', item.documentId, 'document'));
        tr.appendChild(el('td', item.status, 'status ' + item.status.toLowerCase()));
        tr.appendChild(el('td', item.attemptCount));
        tr.appendChild(el('td', item.lastStatusCode || item.lastError || ''));
        const open = el('button', 'Details');
        open.type = 'button';
        open.setAttribute('aria-label', 'Details of the delivery of ' + item.documentId);
        open.dataset.deliveryId = item.id;
        open.addEventListener('click', () => loadDetail(item.id));
        const cell = document.createElement('td');
        cell.appendChild(open);
        tr.appendChild(cell);
        return tr;
    }

    function loadDetail(id) {
        return api('GET', '/document_webhooks/deliveries/' + encodeURIComponent(id)).then(showDetail, failed);
    }

    function showDetail(detail) {
        openDelivery = detail;
        $('detail').hidden = false;
        $('detail-id').textContent = detail.id;
        const fields = $('detail-fields');
        clear(fields);
        field(fields, 'Document', detail.documentId);
        field(fields, 'Event', detail.eventId);
        field(fields, 'Status', detail.status);
        field(fields, 'Created', when(detail.createdAt));
        field(fields, 'Next attempt', when(detail.nextAttemptAt));
        $('retry').disabled = detail.status === 'PENDING' || detail.status === 'HELD';
        const list = $('attempts');
        clear(list);
        for (const attempt of detail.attempts) {
            const entry = document.createElement('li');
            entry.appendChild(el('span', when(attempt.attemptedAt), 'when'));
            entry.appendChild(el('span', attempt.method + ' ' + attempt.url, 'call'));
            entry.appendChild(el('span', attempt.statusCode === null ? 'no answer' : 'HTTP ' + attempt.statusCode,
                'code'));
            entry.appendChild(el('span', attempt.durationMs + ' ms', 'took'));
            if (attempt.error) {
                entry.appendChild(el('span', attempt.error, 'error'));
            }
            if (attempt.responseBody) {
                entry.appendChild(el('pre', attempt.responseBody, 'body'));
            }
            list.appendChild(entry);
        }
        if (!detail.attempts.length) {
            list.appendChild(el('li', 'No attempt yet.'));
        }
        $('detail-id').focus();
    }

    function retry() {
        if (!openDelivery || !confirm('Send delivery ' + openDelivery.id + ' again now?')) {
            return;
        }
        const id = openDelivery.id;
        api('POST', '/document_webhooks/deliveries/' + encodeURIComponent(id) + '/retry').then(() => {
            say('Delivery ' + id + ' is due again.');
            return waitUntilFinished(id, 60);
        }).then(() => loadDeliveries(false), failed);
    }

    /** Shows the delivery again, once a second, until it is no longer pending (at most {@code tries} times). */
    function waitUntilFinished(id, tries) {
        if (!openDelivery || openDelivery.id !== id) {
            return Promise.resolve(null); // another delivery was opened meanwhile
        }
        return loadDetail(id).then(() => {
            if (tries <= 1 || !openDelivery || openDelivery.id !== id || openDelivery.status !== 'PENDING') {
                return null;
            }
            return new Promise((resolve) => setTimeout(resolve, 1000))
                .then(() => waitUntilFinished(id, tries - 1));
        });
    }

    function recover(event) {
        event.preventDefault();
        const body = {since: new Date($('recover-since').value).toISOString()};
        if ($('recover-until').value) {
            body.until = new Date($('recover-until').value).toISOString();
        }
        if (!confirm('Send again the failed deliveries of that time, and deliver what was missed?')) {
            return;
        }
        api('POST', '/document_webhooks/deliveries/recover', body).then((result) => {
            say('Recovered: ' + result.requeued + ' sent again, ' + result.created + ' new.');
            return loadDeliveries(false);
        }, failed);
    }

    // --- charts: plain SVG, drawn from the stats endpoint

    const SVG = 'http://www.w3.org/2000/svg';
    const OUTCOMES = ['succeeded', 'failed', 'pending', 'cancelled'];

    function svg(tag, attributes, text) {
        const node = document.createElementNS(SVG, tag);
        for (const name of Object.keys(attributes)) {
            node.setAttribute(name, String(attributes[name]));
        }
        if (text !== undefined) {
            node.textContent = String(text);
        }
        return node;
    }

    function axis(chart, max, unit) {
        chart.appendChild(svg('line', {x1: 40, y1: 140, x2: 476, y2: 140, class: 'axis'}));
        chart.appendChild(svg('text', {x: 36, y: 14, class: 'tick', 'text-anchor': 'end'}, max + unit));
        chart.appendChild(svg('text', {x: 36, y: 140, class: 'tick', 'text-anchor': 'end'}, '0'));
    }

    function hourLabels(chart, hours, width) {
        hours.forEach((hour, i) => {
            if (i % 6 === 0) {
                const label = new Date(hour.hour).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
                chart.appendChild(svg('text', {x: 40 + i * width, y: 156, class: 'tick'}, label));
            }
        });
    }

    function drawDeliveries(hours) {
        const chart = $('chart-deliveries');
        clear(chart);
        const total = (h) => OUTCOMES.reduce((sum, outcome) => sum + h[outcome], 0);
        const max = Math.max.apply(null, [1].concat(hours.map(total)));
        const width = 436 / hours.length;
        axis(chart, max, '');
        hours.forEach((hour, i) => {
            let y = 140;
            for (const outcome of OUTCOMES) {
                const height = hour[outcome] / max * 126;
                if (height > 0) {
                    y -= height;
                    const bar = svg('rect', {x: 40 + i * width + 1, y: y, width: width - 2, height: height,
                        class: outcome});
                    bar.appendChild(svg('title', {}, hour[outcome] + ' ' + outcome));
                    chart.appendChild(bar);
                }
            }
        });
        hourLabels(chart, hours, width);
    }

    function drawLatency(hours) {
        const chart = $('chart-latency');
        clear(chart);
        const max = Math.max.apply(null, [1].concat(hours.map((h) => h.p95Ms || 0)));
        const width = 436 / hours.length;
        axis(chart, max, ' ms');
        for (const series of ['p95', 'p50']) {
            hours.forEach((hour, i) => {
                const value = hour[series + 'Ms'];
                if (value !== null && value !== undefined) {
                    const height = Math.max(1, value / max * 126);
                    const bar = svg('rect', {x: 40 + i * width + 1, y: 140 - height, width: width - 2,
                        height: height, class: series});
                    bar.appendChild(svg('title', {}, series + ' ' + value + ' ms, ' + hour.attempts + ' attempts'));
                    chart.appendChild(bar);
                }
            });
        }
        hourLabels(chart, hours, width);
    }

    function loadStats() {
        return api('GET', '/document_webhooks/deliveries/stats').then((stats) => {
            drawDeliveries(stats.hours);
            drawLatency(stats.hours);
        }, failed);
    }

    // --- wiring

    document.addEventListener('DOMContentLoaded', () => {
        $('sign-in-form').addEventListener('submit', signIn);
        $('sign-out').addEventListener('click', () => signOut());
        $('show-secret').addEventListener('click', showSecret);
        $('rotate-secret').addEventListener('click', rotateSecret);
        $('send-test').addEventListener('click', sendTest);
        $('enable').addEventListener('click', enable);
        $('filters').addEventListener('submit', (event) => {
            event.preventDefault();
            loadDeliveries(false);
        });
        $('more').addEventListener('click', () => loadDeliveries(true));
        $('retry').addEventListener('click', retry);
        $('close-detail').addEventListener('click', () => {
            $('detail').hidden = true;
            openDelivery = null;
        });
        $('recover').addEventListener('submit', recover);
        if (sessionStorage.getItem(KEY)) {
            showApp();
        }
    });
})();
