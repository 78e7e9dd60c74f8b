// The shop's order or cart, as the SDK's cart() and order() take it (docs/sdk.md). Money
// goes as strings with a dot decimal, so 19.9 is sent as exactly "19.90".
const amount = (n) => (n === undefined || n === null ? undefined : Number(n).toFixed(2));

function details(source) {
  return {
    items: source.lines.map((line) => ({
      sku: line.sku,
      name: line.name,
      category: line.category,
      price: amount(line.unitPrice),
      quantity: line.quantity,
    })),
    total: amount(source.total),
    tax: amount(source.tax),
    shipping: amount(source.shipping),
    currency: source.currency,
    email: source.email,
    city: source.city,
    country: source.country,
  };
}

/** For the Order Confirmation page. */
export const cartForTracking = (checkout) => ({ cartId: checkout.id, ...details(checkout) });

/** For the Thank You page. */
export const orderForTracking = (order) => ({ orderId: order.number, ...details(order) });
