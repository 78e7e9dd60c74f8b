<?php
declare(strict_types=1);

namespace Emarsys\Track\Observer;

use Magento\Framework\Event\Observer;
use Magento\Framework\Event\ObserverInterface;
use Magento\Framework\View\LayoutInterface;

/**
 * Hands the orders just placed to the success page's tracking block: only this page, right
 * after the checkout, reports them (a later visit to the page shows no order).
 */
class SetOrderIds implements ObserverInterface
{
    public function __construct(private readonly LayoutInterface $layout)
    {
    }

    public function execute(Observer $observer): void
    {
        $orderIds = $observer->getEvent()->getData('order_ids');
        $block = $this->layout->getBlock('emarsys_track_order');
        if ($block && is_array($orderIds) && $orderIds) {
            $block->setData('order_ids', $orderIds);
        }
    }
}
