// The demo shop's products. Prices are unit prices in EUR, VAT included. One name carries
// HTML characters on purpose: the shop and the dashboard must show it as text.
export const CURRENCY = 'EUR';

export const PRODUCTS = [
  { sku: 'DRL-18V', name: 'Cordless Drill 18V', category: 'Power tools', price: 129.0, image: 'drill',
    description: 'Two-speed drill driver with a 2 Ah battery, charger and a 13 mm keyless chuck.' },
  { sku: 'HMR-450', name: 'Claw Hammer 450 g', category: 'Hand tools', price: 24.9, image: 'hammer',
    description: 'Forged steel head, fibreglass shaft and an anti-vibration grip.' },
  { sku: 'BNT-DLX', name: 'Bolt & Nut <Deluxe>', category: 'Fixings', price: 4.99, image: 'bolt',
    description: 'Box of 50 zinc-plated M8 bolts with matching nuts and washers.' },
  { sku: 'TPM-5M', name: 'Tape Measure 5 m', category: 'Measuring', price: 9.5, image: 'tape',
    description: 'Self-locking blade with a magnetic hook and a belt clip.' },
  { sku: 'GLV-PRO', name: 'Work Gloves "Pro Grip"', category: 'Safety', price: 14.0, image: 'gloves',
    description: 'Nitrile-coated palms for a firm grip in wet and oily work.' },
  { sku: 'TBX-20', name: 'Toolbox 20″', category: 'Storage', price: 49.0, image: 'toolbox',
    description: 'Impact-resistant box with a removable tray and metal latches.' },
];

export function findProduct(sku) {
  return PRODUCTS.find((p) => p.sku === sku);
}
