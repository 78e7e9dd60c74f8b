<?php
// Order Confirmation page (PHP), the checkout review before payment. $checkout is your
// shop's checkout (see tracking.php for the fields read).
require_once __DIR__ . '/tracking.php';
?>
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Please confirm your order</title>
  <?php include __DIR__ . '/partials/emarsys-track.html'; ?>
</head>
<body>
  <h1>Please confirm your order</h1>
  <ul>
    <?php foreach ($checkout['lines'] as $line): ?>
      <li><?= (int) $line['quantity'] ?> × <?= htmlspecialchars($line['name'], ENT_QUOTES) ?></li>
    <?php endforeach; ?>
  </ul>

  <script>emarsysTrack.cart(<?= emarsys_json_for_script(emarsys_cart_for_tracking($checkout)) ?>);</script>
</body>
</html>
