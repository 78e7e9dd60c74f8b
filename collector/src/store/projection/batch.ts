// One customer's share of a projected batch (projector.ts; the rows it reads and writes: rows.ts): what the batch touches, read once;
// the events played in log order against that state in memory; then each table written in
// one statement. The rules are the write path's:
// - an order is stored once per order ID; a later browser copy of an order the shop's backend
//   sent fills in the visitor and cart it lacks; a backend copy replaces a browser copy
//   (the backend is the truth: total, items, email, currency), a browser copy never replaces
//   a backend one;
// - an order closes the cart it names, else the visitor's open carts from before it;
// - a cart's latest contents win; an older copy never overwrites a newer one; a cart that
//   arrives after its order is stored as ordered; a new checkout under a closed cart's ID
//   keeps the closed one as `<cartId>~<orderId>`.
import { orderPlaced } from '../outbox-payloads.js';
import { cartItemsJson } from '../cart-items.js';
import { names, num, pick, type Column, type Dialect, type Sql } from '../database.js';
import type { WriteEffects } from '../effects.js';
import { jsonParam } from '../json-param.js';
import { writeRows, type SourcedRow } from '../log/isolate.js';
import { asciiLower, directoryEmail, emailKey, uidKey } from '../profiles.js';
import type { Attribution, CartRecord, CartState, ClickRecord, EventRecord, OrderRecord, StoredItem } from '../types.js';
import { DAY_MS, buyerOf, dayOf } from '../types.js';
import {
  BUYER_COLUMNS,
  BUYER_DAY_COLUMNS,
  CART_COLUMNS,
  CART_SELECT,
  CLICK_COLUMNS,
  CLICK_DAY_COLUMNS,
  CLICK_SELECT,
  CLOSER_COLUMNS,
  ITEM_COLUMNS,
  LOOKUP_COLUMNS,
  ORDER_COLUMNS,
  ORDER_SELECT,
  factsOf,
  toCart,
  toClick,
  toOrder,
  type Cart,
  type Click,
  type Json,
  type Order,
} from './rows.js';

const OPEN: ReadonlySet<string> = new Set(['empty', 'open', 'abandoned']);
const SEP = '\u0000';

export class BatchState {
  /** carts by ID: read from the table (with `stored`, the ID it has there) or made by the batch */
  private readonly carts = new Map<string, Cart & { storedId?: string }>();
  private readonly dirtyCarts = new Set<string>();
  /** the event that changed each cart row of the batch (null: several did), to pin a refused row on its event */
  private readonly cartSources = new Map<Cart, EventRecord | null>();
  /** closed carts moved aside to `<cartId>~<orderId>`: [stored ID, new ID], in order */
  private readonly renames: [string, string][] = [];
  private readonly orders = new Map<string, Order>();
  private readonly newOrders: SourcedRow<Json>[] = [];
  private newItems: SourcedRow<Json>[] = [];
  /** orders whose visitor, session and cart the browser filled in */
  private readonly adopted = new Set<string>();
  /** backend copies replacing browser copies: the order's new values, and its new items */
  private readonly replaced = new Map<string, { order: OrderRecord; items: SourcedRow<Json>[] }>();
  private readonly buyerDays = new Map<string, Json>();
  /** each order's buyer, per campaign and currency: counted once written (new buyers are told by the insert) */
  private readonly buyers: { campaign_id: string; currency: string; buyer: string; time: number }[] = [];
  /** buyers whose order the backend moved to another currency: kept in the first one only while they have orders there */
  private readonly leftCurrency = new Map<string, { campaignId: string; currency: string; buyer: string; time: number }>();
  /** directory: lower-cased email → contact UID; contact UID → email */
  private readonly uidByEmail = new Map<string, string>();
  private readonly emailByUid = new Map<string, string>();

  /** for each new cart of the batch, the stored orders that may have closed it before it came */
  private readonly closers = new Map<string, { byCart: Order | null; byVisitor: Order | null }>();
  /** the orders of this batch that can close a later cart, in log order: those it adds, and backend orders whose browser copy gave them a visitor and cart */
  private readonly closing: Order[] = [];
  /** the customer's attribution window (ms) */
  private windowMs = 30 * 86_400_000;
  /** clicks: stored ones that may attribute the batch's events, and those the batch adds */
  private readonly clicks = new Map<string, Click>();
  private readonly newClicks: SourcedRow<Json>[] = [];
  private readonly clickDays = new Map<string, { campaign_id: string; day: number; clicks: number }>();
  /** the event being played: the source of the rows it adds */
  private playing: EventRecord | null = null;
  /** the last campaign each contact's earlier orders and carts came from (their profile) */
  private readonly lastCampaign = new Map<string, { campaignId: string; at: number }>();

  constructor(
    private readonly tx: Sql,
    private readonly dialect: Dialect,
    private readonly customerId: string,
    private readonly fx: WriteEffects,
    private readonly events: readonly EventRecord[],
  ) {}

  private list(values: Iterable<string>): string {
    return JSON.stringify([...new Set(values)]);
  }

  /**
   * Reads everything the batch touches: a handful of statements, whatever its size. `events`
   * may hold more than the batch plays (what is read for the others changes nothing).
   */
  async load(events: readonly EventRecord[] = this.events): Promise<void> {
    const { tx, dialect: d, customerId } = this;
    const orders = events.filter((e): e is OrderRecord => e.type === 'order');
    const carts = events.filter((e): e is CartRecord => e.type === 'cart');

    const cartIds = [...carts.map((c) => c.cartId), ...orders.map((o) => o.cartId).filter((id) => id !== '')];
    const visitorsOfOrders = orders.filter((o) => o.cartId === '' && o.visitor !== '').map((o) => o.visitor);
    if (cartIds.length) {
      for (const r of await tx.all(`SELECT ${CART_SELECT} FROM carts WHERE customer_id = $1 AND cart_id IN ${d.values('$2')} ${d.forUpdate}`, [
        customerId,
        this.list(cartIds),
      ])) {
        const c = toCart(r);
        this.carts.set(c.cart_id, { ...c, storedId: c.cart_id });
      }
    }
    if (visitorsOfOrders.length) {
      for (const r of await tx.all(
        `SELECT ${CART_SELECT} FROM carts ${d.indexedBy('carts_visitor')}
         WHERE customer_id = $1 AND visitor IN ${d.values('$2')} AND state IN ('empty', 'open', 'abandoned') ${d.forUpdate}`,
        [customerId, this.list(visitorsOfOrders)],
      )) {
        const c = toCart(r);
        if (!this.carts.has(c.cart_id)) this.carts.set(c.cart_id, { ...c, storedId: c.cart_id });
      }
    }

    // orders: those the batch names, those that closed its carts, and those that may close its new carts
    const orderIds = [...orders.map((o) => o.orderId)];
    for (const c of this.carts.values()) if (c.order_id) orderIds.push(c.order_id);
    if (orderIds.length) {
      // locked (PostgreSQL): a refund committed between this read and the write would not move
      // with an order the backend replaces (its `refunded` is read here); refunds lock the order too
      for (const r of await tx.all(`SELECT ${ORDER_SELECT} FROM orders WHERE customer_id = $1 AND order_id IN ${d.values('$2')} ${d.forUpdate}`, [
        customerId,
        this.list(orderIds),
      ]))
        this.remember(toOrder(r));
    }
    const newCarts = carts.filter((c) => !this.carts.has(c.cartId));
    if (newCarts.length) {
      // per new cart, the first later order naming it, and the visitor's first later order naming none
      const first = (where: string, index: string) =>
        `(SELECT order_id FROM orders ${d.indexedBy(index)} WHERE customer_id = $1 AND ${where} AND time >= r.time ORDER BY time LIMIT 1)`;
      const found = await tx.all<{ cart_id: string; by_cart: string | null; by_visitor: string | null }>(
        `SELECT r.cart_id, ${first("cart_id = r.cart_id AND cart_id <> ''", 'orders_cart')} AS by_cart,
           ${first("visitor = r.visitor AND cart_id = ''", 'orders_visitor')} AS by_visitor
         FROM ${d.recordset('$2', 'r', CLOSER_COLUMNS)}`,
        [customerId, jsonParam(newCarts.map((c) => ({ cart_id: c.cartId, visitor: c.visitor, time: c.time })))],
      );
      const ids = found.flatMap((f) => [f.by_cart, f.by_visitor]).filter((id): id is string => id !== null);
      if (ids.length) {
        for (const r of await tx.all(`SELECT ${ORDER_SELECT} FROM orders WHERE customer_id = $1 AND order_id IN ${d.values('$2')}`, [customerId, this.list(ids)]))
          this.remember(toOrder(r));
      }
      for (const f of found) {
        this.closers.set(f.cart_id, {
          byCart: f.by_cart === null ? null : this.orders.get(f.by_cart)!,
          byVisitor: f.by_visitor === null ? null : this.orders.get(f.by_visitor)!,
        });
      }
    }

    // the directory: the UID of each email that comes without one, the email of each UID
    const emails = events.filter((e) => e.contactUid === '' && e.email).map((e) => asciiLower(e.email!));
    if (emails.length) {
      for (const r of await tx.all<{ e: string; contact_uid: string }>(
        `SELECT ${d.lowerAscii('email')} AS e, contact_uid FROM contacts WHERE customer_id = $1 AND ${d.lowerAscii('email')} IN ${d.values('$2')} ORDER BY updated_at DESC, contact_uid`,
        [customerId, this.list(emails)],
      ))
        if (!this.uidByEmail.has(r.e)) this.uidByEmail.set(r.e, r.contact_uid);
    }
    if (orders.length && (await this.fx.outbox.wants(tx, customerId, 'order.placed'))) {
      const uids = orders.filter((o) => !o.email && o.contactUid).map((o) => o.contactUid);
      if (uids.length) {
        for (const r of await tx.all<{ contact_uid: string; email: string }>(
          `SELECT contact_uid, email FROM contacts WHERE customer_id = $1 AND contact_uid IN ${d.values('$2')}`,
          [customerId, this.list(uids)],
        ))
          this.emailByUid.set(r.contact_uid, r.email);
      }
    }
    await this.loadAttribution(events.filter((e): e is OrderRecord | CartRecord => e.type !== 'click' && e.campaignId === ''));
  }

  /**
   * The directory's email of a contact, for a webhook: loaded with the batch for the UIDs its
   * events carried; a UID the contact's click gave an order is looked up when it is needed.
   */
  private async directoryEmail(uid: string): Promise<string | null> {
    if (!this.emailByUid.has(uid)) {
      const email = await directoryEmail(this.tx, this.customerId, uid);
      if (email) this.emailByUid.set(uid, email);
    }
    return this.emailByUid.get(uid) ?? null;
  }

  /** Reads what may attribute the batch's orders and carts that came without a campaign. */
  private async loadAttribution(unattributed: readonly (OrderRecord | CartRecord)[]): Promise<void> {
    const { tx, dialect: d, customerId } = this;
    if (unattributed.length === 0) return;
    const days = await tx.get<{ attribution_days: unknown }>('SELECT attribution_days FROM customers WHERE customer_id = $1', [customerId]);
    this.windowMs = num(days?.attribution_days ?? 30) * 86_400_000;
    const last = (column: 'visitor' | 'contact_key', index: string) =>
      `(SELECT click_id FROM clicks ${d.indexedBy(index)}
        WHERE customer_id = $1 AND ${column} = r.${column} AND ${column} <> '' AND clicked_at <= r.time AND clicked_at >= r.since
        ORDER BY clicked_at DESC LIMIT 1)`;
    const found = await tx.all<{ by_visitor: string | null; by_contact: string | null }>(
      `SELECT ${last('visitor', 'clicks_visitor')} AS by_visitor, ${last('contact_key', 'clicks_contact')} AS by_contact
       FROM ${d.recordset('$2', 'r', LOOKUP_COLUMNS)}`,
      [
        customerId,
        jsonParam(unattributed.map((e) => ({ visitor: e.visitor, contact_key: this.contactKey(e.contactUid, e.email), time: e.time, since: e.time - this.windowMs }))),
      ],
    );
    const ids = found.flatMap((f) => [f.by_visitor, f.by_contact]).filter((id): id is string => id !== null);
    if (ids.length) {
      for (const r of await tx.all(`SELECT ${CLICK_SELECT} FROM clicks WHERE customer_id = $1 AND click_id IN ${d.values('$2')}`, [customerId, this.list(ids)]))
        this.clicks.set(String(r.click_id), toClick(r));
    }
    const keys = unattributed.map((e) => this.contactKey(e.contactUid, e.email)).filter((k) => k !== '');
    if (keys.length) {
      for (const r of await tx.all<{ contact_key: string; last_campaign_id: string; last_campaign_at: unknown }>(
        `SELECT contact_key, last_campaign_id, last_campaign_at FROM contact_profiles
         WHERE customer_id = $1 AND contact_key IN ${d.values('$2')} AND last_campaign_id IS NOT NULL`,
        [customerId, this.list(keys)],
      ))
        this.lastCampaign.set(r.contact_key, { campaignId: r.last_campaign_id, at: num(r.last_campaign_at) });
    }
  }

  /**
   * The campaign of an order or cart that came without one: the last click of the same
   * visitor within the customer's window, else of the same contact (its UID, or its email
   * through the directory), else the campaign the contact's earlier orders and carts came from.
   */
  private attribute(ev: OrderRecord | CartRecord): { campaignId: string; contactUid: string; clickAt: number | null; how: Attribution | null } {
    const { campaignId, contactUid, clickAt } = ev;
    if (campaignId !== '') return { campaignId, contactUid, clickAt, how: ev.type === 'order' ? (ev.attribution ?? 'cookie') : 'cookie' };
    const since = ev.time - this.windowMs;
    const key = this.contactKey(ev.contactUid, ev.email);
    let byVisitor: Click | undefined;
    let byContact: Click | undefined;
    for (const c of this.clicks.values()) {
      if (c.clicked_at > ev.time || c.clicked_at < since) continue;
      if (ev.visitor !== '' && c.visitor === ev.visitor && (!byVisitor || c.clicked_at > byVisitor.clicked_at)) byVisitor = c;
      if (key !== '' && c.contact_key === key && (!byContact || c.clicked_at > byContact.clicked_at)) byContact = c;
    }
    const click = byVisitor ?? byContact;
    if (click) {
      return { campaignId: click.campaign_id, contactUid: contactUid || click.contact_uid, clickAt: click.clicked_at, how: byVisitor ? 'visitor' : 'contact' };
    }
    const earlier = key ? this.lastCampaign.get(key) : undefined;
    if (earlier && earlier.at <= ev.time && earlier.at >= since) return { campaignId: earlier.campaignId, contactUid, clickAt: earlier.at, how: 'contact' };
    return { campaignId, contactUid, clickAt, how: null };
  }

  /** A click on a campaign link: kept (once per event ID), and counted for its campaign and day. */
  private click(c: ClickRecord): void {
    const click: Click = {
      click_id: c.eventId,
      campaign_id: c.campaignId,
      contact_uid: c.contactUid,
      contact_key: c.contactUid ? uidKey(c.contactUid) : '',
      visitor: c.visitor,
      clicked_at: c.time,
    };
    this.clicks.set(c.eventId, click);
    this.newClicks.push({ row: { ...click, received_at: c.receivedAt, path: c.path }, source: this.playing });
    // the contact's last campaign is its last click, cart or order or not (segments, and the purchases API's attribution)
    if (click.contact_key) this.fx.profiles.click(this.customerId, click.contact_key, c.campaignId, c.time, c.receivedAt);
    const day = dayOf(c.time);
    const k = `${c.campaignId}${SEP}${day}`;
    const d = this.clickDays.get(k) ?? { campaign_id: c.campaignId, day, clicks: 0 };
    d.clicks += 1;
    this.clickDays.set(k, d);
  }

  private remember(o: Order): void {
    if (!this.orders.has(o.order_id)) this.orders.set(o.order_id, o);
  }

  /** The contact an event belongs to ('' for none): its UID, else its email's UID in the directory, else its email. */
  private contactKey(contactUid: string, email: string | null): string {
    if (contactUid) return uidKey(contactUid);
    if (!email) return '';
    const linked = this.uidByEmail.get(asciiLower(email));
    return linked ? uidKey(linked) : emailKey(email);
  }

  /** Plays the events in log order. */
  async play(): Promise<void> {
    for (const ev of this.events) {
      this.playing = ev;
      if (ev.type === 'click') this.click(ev);
      // Object.assign, not spreads: spreading a record's ~20 fields costs microseconds on this V8
      else if (ev.type === 'order') {
        const o = Object.assign({}, ev, this.attribute(ev));
        // a contact the attribution found (the visitor's or contact's click) is the buyer too
        if (o.contactUid !== ev.contactUid) o.buyer = buyerOf(o.contactUid, o.email, o.visitor);
        await this.order(o);
      }
      else this.cart(Object.assign({}, ev, this.attribute(ev)));
    }
  }

  private async order(o: OrderRecord & { how: Attribution | null }): Promise<void> {
    const { customerId, fx } = this;
    const existing = this.orders.get(o.orderId);
    if (existing) {
      if (o.source === 'api' && existing.source !== 'api') this.replace(existing, o);
      else this.adopt(existing, o);
      return;
    }
    const contactKey = this.contactKey(o.contactUid, o.email);
    const added: Order = {
      order_id: o.orderId,
      time: o.time,
      source: o.source,
      visitor: o.visitor,
      session_id: o.sessionId,
      cart_id: o.cartId,
      campaign_id: o.campaignId,
      buyer: o.buyer,
      contact_key: contactKey,
      currency: o.currency,
      total: o.total,
      refunded: 0n,
      item_lines: o.items.length,
      attribution: o.how,
    };
    this.orders.set(o.orderId, added);
    this.closing.push(added);
    this.newOrders.push({ row: Object.assign(this.orderRow(o, contactKey), { attribution: o.how, click_at: o.how ? o.clickAt : null }), source: this.playing });
    this.newItems.push(...this.itemRows(o));
    fx.stats.order(customerId, o.campaignId, o.time, o.currency, o.total, o.items.length, 1, o.how);
    this.addBuyer(o.campaignId, o.currency, o.time, o.buyer);
    fx.profiles.order(customerId, contactKey, o, o.receivedAt);
    if (await fx.outbox.wants(this.tx, customerId, 'order.placed')) {
      const email = o.email ?? (o.contactUid ? await this.directoryEmail(o.contactUid) : null);
      await fx.outbox.enqueue(this.tx, customerId, 'order.placed', contactKey, orderPlaced(o, email), o.receivedAt);
    }
    this.closeCarts(o);
  }

  private orderRow(o: OrderRecord, contactKey: string): Json {
    return {
      order_id: o.orderId,
      time: o.time,
      received_at: o.receivedAt,
      campaign_id: o.campaignId,
      contact_uid: o.contactUid,
      email: o.email,
      buyer: o.buyer,
      total: o.total,
      currency: o.currency,
      tax: o.tax,
      shipping: o.shipping,
      city: o.city,
      country: o.country,
      item_count: o.itemCount,
      source: o.source,
      visitor: o.visitor,
      session_id: o.sessionId,
      cart_id: o.cartId,
      event_id: o.eventId,
      contact_key: contactKey,
    };
  }

  private itemRows(o: { orderId: string; time: number; campaignId: string; items: readonly StoredItem[] }): SourcedRow<Json>[] {
    return o.items.map((it, i) => ({
      source: this.playing,
      row: {
        order_id: o.orderId,
        line: i + 1,
        time: o.time,
        campaign_id: o.campaignId,
        sku: it.sku,
        name: it.name,
        category: it.category,
        price: it.price,
        quantity: it.quantity,
      },
    }));
  }

  private addBuyer(campaignId: string, currency: string, time: number, buyer: string): void {
    const day = dayOf(time);
    this.buyerDays.set([campaignId, currency, day, buyer].join(SEP), { campaign_id: campaignId, currency, day, buyer });
    this.buyers.push({ campaign_id: campaignId, currency, buyer, time });
  }

  /**
   * The browser's copy of an order the shop's backend reported first: the order stays as it
   * was stored (counted once), but the browser knows its visitor and cart, so those are filled
   * in and the carts it completes are closed.
   */
  private adopt(existing: Order, o: OrderRecord): void {
    if (o.source === 'api' || !o.visitor || existing.source !== 'api' || existing.visitor !== '') return;
    existing.visitor = o.visitor;
    existing.session_id = o.sessionId;
    existing.cart_id = o.cartId;
    this.adopted.add(existing.order_id);
    this.closing.push(existing);
    this.closeCarts(o);
  }

  /**
   * The shop's backend reports an order a browser sent first: the backend is the truth for
   * what was bought (total, currency, items, email); when, where from and which campaign stay
   * as the browser saw them. The aggregates move by the difference, exactly.
   */
  private replace(existing: Order, o: OrderRecord): void {
    const { customerId, fx } = this;
    const campaignId = existing.campaign_id;
    fx.stats.order(customerId, campaignId, existing.time, existing.currency, -existing.total, -existing.item_lines, -1, existing.attribution);
    fx.stats.order(customerId, campaignId, existing.time, o.currency, o.total, o.items.length, 1, existing.attribution);
    // refunds made meanwhile stay with the order: into its new currency, and net in the profiles
    const refunded = existing.refunded;
    if (o.currency !== existing.currency) {
      this.addBuyer(campaignId, o.currency, existing.time, existing.buyer);
      const left = { campaignId, currency: existing.currency, buyer: existing.buyer, time: existing.time };
      this.leftCurrency.set([campaignId, left.currency, left.buyer, dayOf(left.time)].join(SEP), left);
      if (refunded > 0n) {
        const at = { campaignId, time: existing.time, attribution: existing.attribution };
        fx.stats.refund(customerId, { ...at, currency: existing.currency }, -refunded, -1);
        fx.stats.refund(customerId, { ...at, currency: o.currency }, refunded, 1);
      }
    }
    // the order moves to the backend's contact (a browser can name anyone's email)
    const contactKey = this.contactKey(o.contactUid, o.email);
    fx.profiles.orderRemoved(customerId, existing.contact_key, existing.currency, existing.total - refunded);
    fx.profiles.order(customerId, contactKey, { email: o.email, campaignId, clickAt: null, time: existing.time, total: o.total - refunded, currency: o.currency }, o.receivedAt);
    existing.contact_key = contactKey;
    existing.source = 'api';
    existing.total = o.total;
    existing.currency = o.currency;
    existing.item_lines = o.items.length;
    this.replaced.set(existing.order_id, {
      order: o,
      items: this.itemRows({ orderId: existing.order_id, time: existing.time, campaignId, items: o.items }),
    });
  }

  /** Closes the carts an order completes: the one it names, else the visitor's earlier ones. */
  private closeCarts(o: OrderRecord): void {
    if (!o.cartId && !o.visitor) return; // a server-side purchase knows no cart
    const carts = o.cartId
      ? [this.carts.get(o.cartId)].filter((c): c is Cart => c !== undefined && OPEN.has(c.state))
      : [...this.carts.values()]
          .filter((c) => c.visitor === o.visitor && c.time <= o.time && OPEN.has(c.state))
          .sort((a, b) => (a.cart_id < b.cart_id ? -1 : a.cart_id > b.cart_id ? 1 : 0));
    for (const cart of carts) {
      const before = factsOf(cart);
      // a cart abandoned once and re-sent since (the shopper came back) still counts as recovered
      cart.state = cart.state === 'abandoned' || cart.abandoned_at !== null ? 'recovered' : 'ordered';
      cart.closed_at = o.receivedAt;
      cart.order_id = o.orderId;
      this.touch(cart);
      this.dirtyCarts.add(cart.cart_id);
      this.fx.stats.cart(this.customerId, before, factsOf(cart));
    }
  }

  private cart(c: CartRecord): void {
    let existing = this.carts.get(c.cartId);
    if (existing && (existing.state === 'ordered' || existing.state === 'recovered')) {
      // a copy from before its order changes nothing; a later checkout under the same cart ID
      // (legacy pages pair by visitor and session) is a new cart: the closed one is kept as
      // `<cartId>~<orderId>` and the new one starts
      const order = existing.order_id ? this.orders.get(existing.order_id) : undefined;
      if (!order || c.time <= order.time) return;
      const aside = `${c.cartId}~${order.order_id}`;
      this.carts.delete(c.cartId);
      if (existing.storedId !== undefined) {
        this.renames.push([existing.storedId, aside]);
        existing.storedId = aside;
      }
      existing.cart_id = aside;
      this.touch(existing);
      this.carts.set(aside, existing);
      if (this.dirtyCarts.delete(c.cartId)) this.dirtyCarts.add(aside);
      existing = undefined;
    }
    // an older copy of a cart never overwrites a newer one
    if (existing && c.time < existing.time) return;

    const before = existing ? factsOf(existing) : undefined;
    let state: CartState = c.itemCount > 0 ? 'open' : 'empty';
    let orderId: string | null = null;
    if (!existing) {
      orderId = this.orderThatClosed(c);
      if (orderId) state = 'ordered';
    }
    const contactKey = this.contactKey(c.contactUid, c.email);
    const row: Cart & { storedId?: string } = {
      cart_id: c.cartId,
      state,
      time: c.time,
      received_at: c.receivedAt,
      campaign_id: c.campaignId,
      contact_uid: c.contactUid,
      email: c.email,
      total: c.total,
      currency: c.currency,
      tax: c.tax,
      shipping: c.shipping,
      city: c.city,
      country: c.country,
      item_count: c.itemCount,
      items: cartItemsJson(c.items),
      visitor: c.visitor,
      session_id: c.sessionId,
      source: c.source,
      event_id: c.eventId,
      abandoned_at: existing?.abandoned_at ?? null,
      closed_at: orderId ? c.receivedAt : null,
      order_id: orderId,
      contact_key: contactKey,
      storedId: existing?.storedId,
    };
    this.carts.set(c.cartId, row);
    this.touch(row);
    this.dirtyCarts.add(c.cartId);
    this.fx.stats.cart(this.customerId, before, factsOf(row));
    this.fx.profiles.cart(this.customerId, contactKey, c, c.receivedAt);
  }

  /** Notes that the event being played changed `cart`. */
  private touch(cart: Cart): void {
    const had = this.cartSources.get(cart);
    this.cartSources.set(cart, had === undefined || had === this.playing ? this.playing : null);
  }

  /** An order that arrived before its cart (retries, slow networks): a later order naming the cart, else the visitor's later order naming none. */
  private orderThatClosed(c: CartRecord): string | null {
    const stored = this.closers.get(c.cartId);
    let byCart = stored?.byCart ?? undefined;
    let byVisitor = stored?.byVisitor ?? undefined;
    for (const o of this.closing) {
      if (o.time < c.time) continue;
      if (o.cart_id !== '' && o.cart_id === c.cartId && (!byCart || o.time < byCart.time)) byCart = o;
      if (o.cart_id === '' && o.visitor === c.visitor && (!byVisitor || o.time < byVisitor.time)) byVisitor = o;
    }
    return (byCart ?? byVisitor)?.order_id ?? null;
  }

  /** Writes what the batch changed: one statement per table. */
  async write(recordSeen: boolean): Promise<void> {
    const { tx, dialect: d, customerId } = this;
    const rows = (alias: string, cols: readonly Column[]) => d.recordset('$2', alias, cols);
    if (recordSeen) {
      const seen = this.events.filter((e) => e.eventId !== '').map((e) => ({ row: { event_id: e.eventId, received_at: e.receivedAt }, source: e }));
      await writeRows(tx, seen, (list) =>
        tx.run(
          `INSERT INTO seen_events (customer_id, event_id, received_at) SELECT $1, r.event_id, r.received_at
           FROM ${rows('r', [['event_id', 'text'], ['received_at', 'bigint']])} WHERE true ON CONFLICT (customer_id, event_id) DO NOTHING`,
          [customerId, jsonParam(list)],
        ),
      );
    }
    await writeRows(tx, this.newOrders, (list) =>
      tx.run(`INSERT INTO orders (customer_id, ${names(ORDER_COLUMNS)}) SELECT $1, ${pick(ORDER_COLUMNS, 'r')} FROM ${rows('r', ORDER_COLUMNS)}`, [
        customerId,
        jsonParam(list),
      ]),
    );
    if (this.replaced.size) await this.writeReplaced();
    await writeRows(tx, this.newItems, (list) =>
      tx.run(`INSERT INTO order_items (customer_id, ${names(ITEM_COLUMNS)}) SELECT $1, ${pick(ITEM_COLUMNS, 'r')} FROM ${rows('r', ITEM_COLUMNS)}`, [
        customerId,
        jsonParam(list),
      ]),
    );
    if (this.adopted.size) {
      const adopted = [...this.adopted].map((id) => {
        const o = this.orders.get(id)!;
        return { order_id: id, visitor: o.visitor, session_id: o.session_id, cart_id: o.cart_id };
      });
      const cols: Column[] = [
        ['order_id', 'text'],
        ['visitor', 'text'],
        ['session_id', 'text'],
        ['cart_id', 'text'],
      ];
      await tx.run(
        `UPDATE orders SET visitor = r.visitor, session_id = r.session_id, cart_id = r.cart_id FROM ${rows('r', cols)}
         WHERE orders.customer_id = $1 AND orders.order_id = r.order_id`,
        [customerId, jsonParam(adopted)],
      );
    }
    for (const [from, to] of this.renames) {
      await tx.run('UPDATE carts SET cart_id = $3 WHERE customer_id = $1 AND cart_id = $2', [customerId, from, to]);
    }
    const carts = [...this.dirtyCarts].sort().map((id) => {
      const cart = this.carts.get(id)!;
      const { storedId: _stored, ...row } = cart;
      return { row, source: this.cartSources.get(cart) ?? null };
    });
    const update = CART_COLUMNS.filter(([n]) => n !== 'cart_id')
      .map(([n]) => `${n} = excluded.${n}`)
      .join(', ');
    await writeRows(tx, carts, (list) =>
      tx.run(
        `INSERT INTO carts (customer_id, ${CART_SELECT}) SELECT $1, ${pick(CART_COLUMNS, 'r')} FROM ${rows('r', CART_COLUMNS)} WHERE true
         ON CONFLICT (customer_id, cart_id) DO UPDATE SET ${update}`,
        [customerId, jsonParam(list)],
      ),
    );
    if (this.newClicks.length) {
      await writeRows(tx, this.newClicks, (list) =>
        tx.run(
          `INSERT INTO clicks (customer_id, ${names(CLICK_COLUMNS)}) SELECT $1, ${pick(CLICK_COLUMNS, 'r')} FROM ${rows('r', CLICK_COLUMNS)} WHERE true
           ON CONFLICT (customer_id, click_id) DO NOTHING`,
          [customerId, jsonParam(list)],
        ),
      );
      await tx.run(
        `INSERT INTO click_days (customer_id, campaign_id, day, clicks) SELECT $1, r.campaign_id, r.day, r.clicks FROM ${rows('r', CLICK_DAY_COLUMNS)} WHERE true
         ON CONFLICT (customer_id, campaign_id, day) DO UPDATE SET clicks = click_days.clicks + excluded.clicks`,
        [customerId, jsonParam([...this.clickDays.values()].sort((a, b) => (a.campaign_id < b.campaign_id ? -1 : a.campaign_id > b.campaign_id ? 1 : a.day - b.day)))],
      );
    }
    if (this.buyerDays.size) {
      await tx.run(
        `INSERT INTO buyer_days (customer_id, campaign_id, currency, day, buyer) SELECT $1, r.campaign_id, r.currency, r.day, r.buyer
         FROM ${rows('r', BUYER_DAY_COLUMNS)} WHERE true ON CONFLICT (customer_id, campaign_id, currency, day, buyer) DO NOTHING`,
        [customerId, jsonParam([...this.buyerDays.values()])],
      );
    }
    if (this.buyers.length) {
      // RETURNING names the buyers new to their campaign and currency
      const keyOf = (b: { campaign_id: string; currency: string; buyer: string }) => [b.campaign_id, b.currency, b.buyer].join(SEP);
      const distinct = new Map(this.buyers.map((b) => [keyOf(b), { campaign_id: b.campaign_id, currency: b.currency, buyer: b.buyer }]));
      const fresh = new Set(
        (
          await tx.all<{ campaign_id: string; currency: string; buyer: string }>(
            `INSERT INTO campaign_buyers (customer_id, campaign_id, currency, buyer) SELECT $1, r.campaign_id, r.currency, r.buyer
             FROM ${rows('r', BUYER_COLUMNS)} WHERE true ON CONFLICT (customer_id, campaign_id, currency, buyer) DO NOTHING
             RETURNING campaign_id, currency, buyer`,
            [customerId, jsonParam([...distinct.values()])],
          )
        ).map(keyOf),
      );
      for (const b of this.buyers) {
        const key = keyOf(b);
        this.fx.stats.buyer(customerId, b.campaign_id, b.currency, b.time, fresh.delete(key) ? 1 : 0);
      }
    }
    if (this.leftCurrency.size) await this.writeLeftCurrency();
  }

  /**
   * Buyers a backend copy took out of a currency (rare: a few statements each, after the
   * orders and buyers above are written): out of the day's buyers when they have no other
   * order of the campaign in that currency that day, and out of the campaign's when no day is left.
   */
  private async writeLeftCurrency(): Promise<void> {
    const { tx, customerId } = this;
    for (const { campaignId, currency, buyer, time } of this.leftCurrency.values()) {
      const key = [customerId, campaignId, currency];
      const day = dayOf(time);
      const sameDay = await tx.get(
        `SELECT 1 AS x FROM orders WHERE customer_id = $1 AND campaign_id = $2 AND time >= $4 AND time < $5 AND currency = $3 AND buyer = $6 LIMIT 1`,
        [...key, day * DAY_MS, (day + 1) * DAY_MS, buyer],
      );
      if (sameDay) continue;
      await tx.run('DELETE FROM buyer_days WHERE customer_id = $1 AND campaign_id = $2 AND currency = $3 AND day = $4 AND buyer = $5', [...key, day, buyer]);
      if (await tx.get('SELECT 1 AS x FROM buyer_days WHERE customer_id = $1 AND campaign_id = $2 AND currency = $3 AND buyer = $4 LIMIT 1', [...key, buyer])) continue;
      if (await tx.run('DELETE FROM campaign_buyers WHERE customer_id = $1 AND campaign_id = $2 AND currency = $3 AND buyer = $4', [...key, buyer])) {
        this.fx.stats.buyer(customerId, campaignId, currency, time, -1);
      }
    }
  }

  /** Backend copies: the order's values and its items replaced (rare: one statement per order). */
  private async writeReplaced(): Promise<void> {
    const { tx, customerId } = this;
    for (const [orderId, { order: o, items }] of this.replaced) {
      const contactKey = this.orders.get(orderId)!.contact_key;
      await tx.run(
        // the browser's tax and shipping stay only while the currency does; the contact is the backend's
        `UPDATE orders SET total = $3, currency = $4, email = COALESCE($5, email), item_count = $6, source = 'api',
           tax = CASE WHEN currency = $4 THEN COALESCE($7, tax) ELSE $7 END,
           shipping = CASE WHEN currency = $4 THEN COALESCE($8, shipping) ELSE $8 END,
           contact_key = $9, contact_uid = $10 WHERE customer_id = $1 AND order_id = $2`,
        [customerId, orderId, o.total, o.currency, o.email, o.itemCount, o.tax, o.shipping, contactKey, o.contactUid],
      );
      // its refunds moved with it into the backend's currency (replace())
      await tx.run('UPDATE refunds SET currency = $3 WHERE customer_id = $1 AND order_id = $2 AND currency <> $3', [customerId, orderId, o.currency]);
      await tx.run('DELETE FROM order_items WHERE customer_id = $1 AND order_id = $2', [customerId, orderId]);
      // a browser copy added by this same batch: its items were never written
      this.newItems = this.newItems.filter((i) => i.row.order_id !== orderId);
      this.newItems.push(...items);
    }
  }
}
