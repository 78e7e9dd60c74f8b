<?php
declare(strict_types=1);

namespace Emarsys\Track\Block;

use Magento\Framework\Api\SearchCriteriaBuilder;
use Magento\Framework\View\Element\Template;
use Magento\Sales\Api\Data\OrderInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Store\Model\ScopeInterface;

/** The script tag (head.phtml, every page) and the orders of the success page (order.phtml). */
class Tracking extends Template
{
    public function __construct(
        Template\Context $context,
        private readonly OrderRepositoryInterface $orders,
        private readonly SearchCriteriaBuilder $criteria,
        array $data = []
    ) {
        parent::__construct($context, $data);
    }

    public function customerId(): string
    {
        return (string) $this->_scopeConfig->getValue('emarsys_track/general/customer_id', ScopeInterface::SCOPE_STORE);
    }

    public function endpoint(): string
    {
        return rtrim((string) $this->_scopeConfig->getValue('emarsys_track/general/endpoint', ScopeInterface::SCOPE_STORE), '/');
    }

    /** @return array<int, array<string, mixed>> each order as emarsysTrack.order() takes it */
    public function ordersForTracking(): array
    {
        $ids = (array) $this->getData('order_ids');
        if (!$ids || $this->customerId() === '') {
            return [];
        }
        $found = $this->orders->getList($this->criteria->addFilter('entity_id', $ids, 'in')->create())->getItems();
        return array_values(array_map(fn (OrderInterface $order) => $this->orderForTracking($order), $found));
    }

    /**
     * Magento keeps amounts as DECIMAL(20,4) strings ("158.9000"): sent as they are, so they
     * arrive exact (a dot decimal, no thousands separator, at most 4 decimals).
     */
    private function orderForTracking(OrderInterface $order): array
    {
        $items = [];
        foreach ($order->getItems() as $item) {
            if ($item->getParentItemId()) {
                continue; // a configurable's or bundle's child: its parent carries the price
            }
            $items[] = [
                'sku' => (string) $item->getSku(),
                'name' => (string) $item->getName(),
                // The unit price after discounts, before tax: the row total less its discount, over the quantity.
                'price' => $this->unitPrice((string) $item->getRowTotal(), (string) $item->getDiscountAmount(), (int) $item->getQtyOrdered()),
                'quantity' => max(1, (int) $item->getQtyOrdered()),
            ];
        }
        $address = $order->getShippingAddress() ?: $order->getBillingAddress();
        return array_filter([
            'orderId' => (string) $order->getIncrementId(),
            'total' => (string) $order->getGrandTotal(),
            'tax' => (string) $order->getTaxAmount(),
            'shipping' => (string) $order->getShippingAmount(),
            'currency' => (string) $order->getOrderCurrencyCode(),
            'email' => $order->getCustomerEmail() ?: null,
            'city' => $address ? $address->getCity() : null,
            'country' => $address ? $address->getCountryId() : null,
            'items' => $items,
        ], fn ($v) => $v !== null && $v !== '');
    }

    /** bcmath: decimal strings divided without float error, 4 decimals (what the collector keeps). */
    private function unitPrice(string $rowTotal, string $discount, int $quantity): string
    {
        return bcdiv(bcsub($rowTotal ?: '0', $discount ?: '0', 4), (string) max(1, $quantity), 4);
    }

    /** JSON for an inline <script>: < > & ' " become \u escapes, so no product name can end the script. */
    public function json(array $value): string
    {
        return (string) json_encode($value, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
    }
}
