# ruff: noqa: E501 (a field map row is one table line, however long)
"""What the mappers do with every field of the channels' orders (issue 26): the field map.

One table per documented object a mapper reads. Each row is a field path (``[]``
for the items of a list, ``*`` for any run of characters) and what becomes of it:
``mapped`` (to what in the :class:`~.draft.OrderDraft`), ``ignored`` (why) or
``refused`` (the :class:`~.errors.MappingError` it raises). The money, quantity,
status and flag fields are listed one by one; the rest (ids, timestamps,
addresses, display text) by pattern. ``tests/test_field_map.py`` walks the
channels' documented example objects (the fixtures) and fails on a field with a
value that no row covers, so that a field a new API version adds is noticed, not
dropped. The first row matching a path applies. "Refused" rows name the message;
every field read is also refused when it has the wrong type or an implausible
value (``_fields.py``), which is not repeated on each row.

Shopify Order (Admin REST API 2025-01 ``order``: ``GET orders.json``, ``GET orders/{id}.json``, the ``orders/create`` / ``orders/updated`` / ``orders/cancelled`` webhooks)

| field | kind | disposition | note |
|---|---|---|---|
| id | id | mapped | external_id (the inbox's external id) |
| name | id | mapped | name (#1001); order_number when empty |
| order_number | id | mapped | name when the order has no name |
| updated_at | status | mapped | version and updated_at (a newer version wins) |
| created_at | status | mapped | created_at (the import-from date) |
| currency | money | mapped | currency; every amount read is in the shop currency; refused "is not an ISO 4217 currency code" |
| presentment_currency | money | ignored | the buyer's currency; the shop-currency amounts are read |
| taxes_included | flag | mapped | taxes_included |
| financial_status | status | mapped | payment_status (every documented value, expired as voided); refused "unknown payment status" |
| fulfillment_status | status | mapped | channel_status; fulfilled: fulfilled_by_channel (shipped outside Odoo) |
| cancelled_at | status | mapped | cancelled |
| cancel_reason | status | mapped | cancel_reason (only when cancelled_at is set) |
| closed_at | status | ignored | archived in Shopify: says nothing about shipping |
| confirmed | flag | ignored | inventory reserved in Shopify; Odoo reserves its own |
| test | flag | ignored | a test order (bogus gateway) is imported like any other: a test shop belongs to a test database |
| estimated_taxes | flag | ignored | the taxes may still change; a later version with the final taxes is applied as an update |
| tax_exempt | flag | ignored | the tax lines say what was charged |
| duties_included | flag | mapped | true: the prices hold the duties, no Duties fee line is added |
| buyer_accepts_marketing | flag | ignored | marketing consent is not kept |
| total_price | money | mapped | totals.total, compared with what Odoo computes (hold when it differs); an edited order's is current_total_price |
| total_tax | money | mapped | totals.tax |
| total_discounts | money | mapped | totals.discount |
| total_shipping_price_set.shop_money.amount | money | mapped | totals.shipping |
| subtotal_price | money | ignored | computed again from the lines; the total is compared |
| total_line_items_price | money | ignored | computed again from the lines; the total is compared |
| total_outstanding | money | ignored | what is left to pay: the payment state comes from financial_status |
| total_tip_received | money | mapped | a FeeLine "Tip" (no tax): the buyer paid it and total_price counts it |
| original_total_duties_set.shop_money.amount | money | mapped | a FeeLine "Duties" when no line lists its duties |
| current_total_duties_set.shop_money.amount | money | mapped | the "Duties" fee of an edited order when no line lists its duties |
| original_total_additional_fees_set.shop_money.amount | money | mapped | a FeeLine "Additional fees" |
| current_total_additional_fees_set.shop_money.amount | money | mapped | the "Additional fees" fee of an edited order |
| current_total_price | money | mapped | totals.total of an order edited or refunded with items removed (mapped at its current quantities); otherwise total_price is read, as it also drops refunds that remove nothing |
| current_total_tax | money | mapped | totals.tax of an edited order |
| current_total_discounts | money | mapped | totals.discount of an edited order |
| current_shipping_price_set.shop_money.amount | money | mapped | totals.shipping of an edited order |
| current_subtotal_price | money | ignored | computed again from the lines |
| total_cash_rounding_payment_adjustment_set.* | money | ignored | point-of-sale cash rounding of the payment, not of the order's total |
| total_cash_rounding_refund_adjustment_set.* | money | ignored | point-of-sale cash rounding of a refund |
| total_weight | quantity | ignored | Odoo weighs its deliveries from its products |
| line_items[].id | id | mapped | OrderLine external_id (lines are matched by it on updates) |
| line_items[].sku | id | mapped | OrderLine sku (products by the channel's ids, then SKU, then barcode); empty: a hold names the line |
| line_items[].product_id | id | mapped | OrderLine product_external_id (the product matched through the channel's listings) |
| line_items[].variant_id | id | mapped | OrderLine variant_external_id (the listing matched first, before the SKU) |
| line_items[].name | status | mapped | OrderLine name |
| line_items[].title | status | mapped | OrderLine name when the line has no name; refused "is missing" without both |
| line_items[].quantity | quantity | mapped | OrderLine quantity; refused "quantity must be at least 1" |
| line_items[].current_quantity | quantity | mapped | OrderLine quantity of an edited order (discounts, taxes and duties in proportion; 0: the line is left out); refused "must be a whole number from 0 to the quantity" |
| line_items[].fulfillable_quantity | quantity | mapped | of a line `partial`: the current quantity less it is shipped_quantity (units fulfilled in Shopify) |
| line_items[].fulfillment_status | status | mapped | fulfilled: the whole line is shipped_quantity, partial: see fulfillable_quantity, else none; what Shopify shipped is delivered from the channel's fulfilled location at import and Odoo ships the rest |
| line_items[].price | money | mapped | OrderLine unit_price |
| line_items[].total_discount | money | mapped | a Discount of the line when it has no discount_allocations (older API versions) |
| line_items[].discount_allocations[].amount | money | mapped | a Discount of the line |
| line_items[].discount_allocations[].discount_application_index | id | mapped | the Discount's code (the application's code or title) |
| line_items[].tax_lines[].price | money | mapped | a TaxLine amount |
| line_items[].tax_lines[].rate | money | mapped | the TaxLine rate |
| line_items[].tax_lines[].title | status | mapped | the TaxLine title (tax mapping) |
| line_items[].tax_lines[].channel_liable | flag | ignored | the channel remits this tax: charged to the buyer all the same |
| line_items[].duties[].price_set.shop_money.amount | money | mapped | added to the FeeLine "Duties" |
| line_items[].duties[].shop_money.amount | money | mapped | the same, as the property example places it |
| line_items[].duties[].tax_lines[].price | money | mapped | a TaxLine of the "Duties" fee |
| line_items[].duties[].tax_lines[].rate | money | mapped | its rate |
| line_items[].duties[].tax_lines[].title | status | mapped | its title |
| line_items[].duties[].tax_lines[].channel_liable | flag | ignored | charged to the buyer all the same |
| line_items[].duties[].presentment_money.* | money | ignored | the buyer's currency: shop money is read |
| line_items[].duties[].harmonized_system_code | id | ignored | Shopify's customs data; the delivery's customs come from the products |
| line_items[].duties[].country_code_of_origin | id | ignored | as harmonized_system_code |
| line_items[].duties[].id | id | ignored | the duty's id |
| line_items[].taxable | flag | ignored | the tax lines say what was charged |
| line_items[].requires_shipping | flag | ignored | the Odoo product's type decides whether it is shipped |
| line_items[].gift_card | flag | ignored | the Odoo product (a service) decides; gift cards are Shopify's liability |
| line_items[].product_exists | flag | ignored | products are matched by the channel's ids, SKU and barcode |
| line_items[].grams | quantity | ignored | Odoo weighs from its products |
| line_items[].properties[].* | status | ignored | line customisations (engraving...) are not carried to the sale order line |
| line_items[].attributed_staffs[].* | id | ignored | point-of-sale staff attribution |
| line_items[].variant_title | id | ignored | part of the name, which is read |
| line_items[].vendor | id | ignored | the product's vendor |
| line_items[].fulfillment_service | status | ignored | who Shopify expects to fulfil it (manual, an app): Odoo ships what it holds |
| line_items[].variant_inventory_management | status | ignored | Shopify's stock setting |
| line_items[].origin_location.* | id | ignored | an address of Shopify's, not the warehouse |
| line_items[].destination_location.* | id | ignored | the shipping address is read |
| shipping_lines[].code | status | mapped | ShippingLine method (mapped to a service level per channel) |
| shipping_lines[].source | status | mapped | ShippingLine method when there is no code |
| shipping_lines[].title | status | mapped | ShippingLine title |
| shipping_lines[].price | money | mapped | ShippingLine price |
| shipping_lines[].discount_allocations[].amount | money | mapped | a Discount of the shipping line |
| shipping_lines[].discount_allocations[].discount_application_index | id | mapped | the Discount's code |
| shipping_lines[].tax_lines[].price | money | mapped | a TaxLine amount |
| shipping_lines[].tax_lines[].rate | money | mapped | the TaxLine rate |
| shipping_lines[].tax_lines[].title | status | mapped | the TaxLine title |
| shipping_lines[].tax_lines[].channel_liable | flag | ignored | charged to the buyer all the same |
| shipping_lines[].discounted_price | money | ignored | price minus the discount allocations, which are read |
| shipping_lines[].is_removed | flag | mapped | a removed shipping line is left out (the order is mapped as edited) |
| shipping_lines[].id | id | ignored | the shipping line's id |
| shipping_lines[].carrier_identifier | id | ignored | the carrier app; the code names the method |
| shipping_lines[].phone | id | ignored | the shipping address's phone is read |
| shipping_lines[].delivery_category | status | ignored | the code names the method |
| tax_lines[].price | money | mapped | spread over the lines when no line lists its taxes |
| tax_lines[].rate | money | mapped | with the order's tax lines |
| tax_lines[].title | status | mapped | with the order's tax lines |
| tax_lines[].channel_liable | flag | ignored | charged to the buyer all the same |
| discount_applications[].code | status | mapped | the Discount's code |
| discount_applications[].title | status | mapped | the Discount's code when there is no code |
| discount_applications[].value | money | ignored | the rule (10 %, 5.00): the allocations carry the amounts |
| discount_applications[].* | status | ignored | how the discount was allocated: the allocations are read |
| discount_codes[].amount | money | ignored | the same discounts are read per line (discount_allocations) |
| discount_codes[].* | status | ignored | the codes are read through discount_applications |
| *_set.* | money | ignored | the same amount in shop and presentment money: the plain (shop currency) field is read |
| refunds[].* | money | ignored | a refund shows in financial_status (refunded cancels the order) and, items removed, in current_quantity; its credit note, money and restock come from the refunds/create webhook (channel_mappers/refund.py), once per refund id |
| fulfillments[].* | status | ignored | Odoo ships and tells Shopify; shipped outside Odoo is read through fulfillment_status |
| payment_terms.* | money | ignored | B2B payment terms: the payment state comes from financial_status |
| payment_details.* | status | ignored | card details are not kept |
| payment_gateway_names[] | status | ignored | how it was paid, not how much |
| gateway | status | ignored | how it was paid |
| processing_method | status | ignored | how it was paid |
| risks[].* | status | mapped | read with the Shopify Order Risk table when merged into the payload |
| email | id | mapped | email |
| contact_email | id | mapped | email when there is no email |
| phone | id | mapped | phone |
| customer.email | id | mapped | email when the order has none |
| customer.phone | id | mapped | phone when the order has none |
| customer.first_name | id | mapped | customer_name |
| customer.last_name | id | mapped | customer_name |
| customer.* | id | ignored | the customer is found again by email or phone and postcode |
| billing_address.* | id | mapped | billing_address (name, company, street, city, zip, province_code, country_code, phone) |
| shipping_address.* | id | mapped | shipping_address, the same fields |
| note | status | mapped | note |
| note_attributes[].* | status | ignored | cart attributes (custom checkout fields) are not kept |
| tags | status | mapped | extra tags |
| source_name | status | mapped | extra source_name |
| client_details.* | id | ignored | the buyer's browser |
| number | id | ignored | order_number without its 1000 offset |
| confirmation_number | id | ignored | shown to the buyer; name is read |
| po_number | id | ignored | the buyer's purchase order number is not kept |
| reference | id | ignored | the checkout's reference |
| source_identifier | id | ignored | the checkout's reference in its source |
| customer_locale | id | ignored | the buyer's language is not kept |
| browser_ip | id | ignored | the buyer's browser |
| landing_site* | id | ignored | marketing attribution |
| referring_site | id | ignored | marketing attribution |
| company.* | id | ignored | the B2B company's ids: the customer is found by email |
| admin_graphql_api_id | id | ignored | the GraphQL id of the order |
| *_id | id | ignored | ids of the app, checkout, device, location, user, merchant entity... |
| *_at | status | ignored | other timestamps (processed_at) |
| *_url | id | ignored | links |
| *token | id | ignored | checkout and cart tokens |

Shopify Order Risk (``GET orders/{id}/risks.json``, its ``risks[]``)

| field | kind | disposition | note |
|---|---|---|---|
| recommendation | status | mapped | fraud_hints (cancel high, investigate medium) and fraud_assessed; refused "unknown risk recommendation" |
| display | flag | mapped | a risk with display false is left out, as Shopify does |
| message | status | mapped | FraudHint message |
| score | quantity | ignored | "for internal use" per Shopify: the recommendation is read |
| source | status | ignored | Shopify or an app: every displayed risk counts |
| merchant_message | status | ignored | the same risk worded for the merchant: message is read |
| cause_cancel | flag | ignored | the recommendation says it |
| id | id | ignored | the risk's id |
| order_id | id | ignored | the order it is about |
| *_id | id | ignored | the app that made it |
| admin_graphql_api_id | id | ignored | GraphQL id |

WooCommerce Order (REST API v3 ``GET /wc/v3/orders``, ``orders/{id}``, the order webhooks)

| field | kind | disposition | note |
|---|---|---|---|
| id | id | mapped | external_id |
| number | id | mapped | name (the id when empty) |
| date_modified_gmt | status | mapped | version and updated_at |
| date_created_gmt | status | mapped | created_at |
| date_paid_gmt | status | mapped | makes a pending / on-hold order paid |
| date_completed_gmt | status | ignored | the status completed says it |
| date_* | status | ignored | the same dates in the site's time zone: the _gmt ones are read |
| currency | money | mapped | currency; refused "is not an ISO 4217 currency code" |
| prices_include_tax | flag | mapped | taxes_included: prices are stated tax included (amount + tax) |
| status | status | mapped | payment_status, cancelled (cancelled, refunded, failed) and fulfilled_by_channel (completed); refused "unknown order status" |
| total | money | mapped | totals.total, compared with what Odoo computes |
| total_tax | money | mapped | totals.tax |
| shipping_total | money | mapped | totals.shipping (plus shipping_tax when tax included) |
| shipping_tax | money | mapped | with shipping_total when tax included; the shipping lines' taxes are read |
| discount_total | money | mapped | totals.discount (plus discount_tax when tax included) |
| discount_tax | money | mapped | with discount_total when tax included; the lines' totals are after it |
| cart_tax | money | ignored | the sum of the lines' taxes, which are read |
| line_items[].id | id | mapped | OrderLine external_id |
| line_items[].sku | id | mapped | OrderLine sku |
| line_items[].name | status | mapped | OrderLine name (HTML entities decoded); refused "is missing" |
| line_items[].quantity | quantity | mapped | OrderLine quantity |
| line_items[].subtotal | money | mapped | OrderLine unit_price (subtotal / quantity) |
| line_items[].subtotal_tax | money | mapped | added to the price when tax included |
| line_items[].total | money | mapped | the line's Discount is subtotal - total; refused "the line's total is above its subtotal" |
| line_items[].total_tax | money | mapped | with total when tax included |
| line_items[].price | money | ignored | subtotal / quantity rounded by WooCommerce: the subtotal is read |
| line_items[].taxes[].id | id | mapped | the rate (tax_lines[].rate_id) of the TaxLine |
| line_items[].taxes[].total | money | mapped | a TaxLine amount |
| line_items[].taxes[].subtotal | money | ignored | the tax before coupons: the total is read |
| line_items[].tax_class | status | ignored | the taxes say what was charged |
| line_items[].meta_data[].* | status | ignored | variation attributes and plugin data, shown in the name |
| line_items[].image.* | id | ignored | product image |
| line_items[].parent_name | id | ignored | part of the name, which is read |
| line_items[].product_id | id | mapped | OrderLine product_external_id (0: none) |
| line_items[].variation_id | id | mapped | OrderLine variant_external_id (0: a simple product, none) |
| line_items[].*_id | id | ignored | other ids |
| shipping_lines[].method_id | status | mapped | ShippingLine method (mapped to a service level per channel) |
| shipping_lines[].method_title | status | mapped | ShippingLine title |
| shipping_lines[].total | money | mapped | ShippingLine price |
| shipping_lines[].total_tax | money | mapped | added to the price when tax included |
| shipping_lines[].taxes[].id | id | mapped | the TaxLine rate |
| shipping_lines[].taxes[].total | money | mapped | a TaxLine amount |
| shipping_lines[].taxes[].subtotal | money | ignored | the total is read |
| shipping_lines[].meta_data[].* | status | ignored | the items the method carried, as text |
| shipping_lines[].*id | id | ignored | ids, instance ids |
| fee_lines[].name | status | mapped | FeeLine name; refused "is missing" |
| fee_lines[].total | money | mapped | FeeLine amount (negative for a discount given as a fee) |
| fee_lines[].total_tax | money | mapped | added to the amount when tax included |
| fee_lines[].taxes[].id | id | mapped | the TaxLine rate |
| fee_lines[].taxes[].total | money | mapped | a TaxLine amount |
| fee_lines[].taxes[].subtotal | money | ignored | the total is read |
| fee_lines[].tax_status | status | ignored | the taxes say what was charged |
| fee_lines[].tax_class | status | ignored | the taxes say what was charged |
| fee_lines[].amount | money | ignored | the fee as entered (a percentage fee's rule): its total is read |
| fee_lines[].meta_data[].* | status | ignored | plugin data |
| fee_lines[].id | id | ignored | id |
| coupon_lines[].code | status | mapped | the code of the lines' Discounts |
| coupon_lines[].discount | money | ignored | already in each line's subtotal - total |
| coupon_lines[].discount_tax | money | ignored | already in each line's taxes |
| coupon_lines[].meta_data[].* | status | ignored | the coupon's settings |
| coupon_lines[].id | id | ignored | id |
| tax_lines[].rate_id | id | mapped | matches the lines' taxes to their rate |
| tax_lines[].rate_percent | money | mapped | the TaxLine rate (WooCommerce 5.7+; before, the rate is found from the amounts) |
| tax_lines[].label | status | mapped | the TaxLine title |
| tax_lines[].rate_code | status | mapped | the TaxLine code (the channel's tax mapping) |
| tax_lines[].tax_total | money | ignored | the sum of the lines' taxes, which are read |
| tax_lines[].shipping_tax_total | money | ignored | the sum of the shipping lines' taxes, which are read |
| tax_lines[].compound | flag | ignored | each line's tax amount is read as charged |
| tax_lines[].id | id | ignored | id |
| tax_lines[].meta_data[].* | status | ignored | plugin data |
| refunds[].total | money | mapped | a paid order with refunds is partially_refunded (payment_status); its lines and total stay as sold: the refunded items are only in the refund objects, not read |
| refunds[].id | id | mapped | a refund not read yet is read from GET orders/<id>/refunds (with an API key) and credited once (channel_mappers/refund.py) |
| refunds[].reason | status | ignored | the refund's reason |
| refunds[].refund | status | ignored | the refund's reason (the v3 docs' list example names it so) |
| billing.* | id | mapped | billing_address; its email and phone the order's |
| shipping.* | id | mapped | shipping_address |
| customer_note | status | mapped | note |
| payment_method | status | mapped | extra payment_method |
| customer_ip_address | id | mapped | extra customer_ip_address |
| payment_method_title | status | ignored | how it was paid |
| transaction_id | id | ignored | the payment's reference |
| customer_id | id | ignored | the customer is found again by email or phone and postcode |
| meta_data[].* | status | ignored | plugin data |
| needs_payment | flag | ignored | the status and date_paid say it |
| needs_processing | flag | ignored | the status says it |
| is_editable | flag | ignored | WooCommerce's admin setting |
| set_paid | flag | ignored | write-only |
| _links.* | id | ignored | API links |
| parent_id | id | ignored | a sub-order's parent |
| order_key | id | ignored | the order's secret key |
| created_via | status | ignored | checkout, admin, rest-api: imported alike |
| version | id | ignored | the WooCommerce version that made it |
| cart_hash | id | ignored | the cart's hash |
| customer_user_agent | id | ignored | the buyer's browser |
| currency_symbol | money | ignored | display of the currency, which is read |
| payment_url | id | ignored | link |

Amazon Order (Orders API v0 ``getOrders`` / ``getOrder`` ``Order``, the ``Order`` of a stored payload)

| field | kind | disposition | note |
|---|---|---|---|
| AmazonOrderId | id | mapped | external_id and name |
| LastUpdateDate | status | mapped | version and updated_at |
| PurchaseDate | status | mapped | created_at |
| OrderStatus | status | mapped | payment_status, cancelled (Canceled), fulfilled_by_channel (Shipped); Pending: OrderPending; refused "unknown order status" |
| FulfillmentChannel | status | mapped | AFN: fulfilled_by_channel (Amazon ships); extra fulfillment_channel |
| MarketplaceId | status | mapped | taxes_included (the Americas add tax); extra marketplace_id |
| OrderTotal.Amount | money | mapped | totals.total |
| OrderTotal.CurrencyCode | money | mapped | currency; every item amount must be in it: refused "is in X, the order is in Y" |
| ShipServiceLevel | status | mapped | the ShippingLine's method (mapped to a service level per channel) and title |
| ShipmentServiceLevelCategory | status | mapped | the ShippingLine's method when there is no ShipServiceLevel |
| IsPrime | flag | mapped | is_prime (the Prime service level) and extra is_prime |
| IsBusinessOrder | flag | mapped | extra is_business_order |
| LatestShipDate | status | mapped | latest_ship_date (the order's ship-by date) and extra latest_ship_date |
| NumberOfItemsShipped | quantity | ignored | the items' quantities are read |
| NumberOfItemsUnshipped | quantity | ignored | the items' quantities are read |
| PaymentMethod | status | ignored | how it was paid (COD, Other) |
| PaymentMethodDetails[] | status | ignored | how it was paid |
| PaymentExecutionDetail[].Payment.* | money | ignored | how a COD order's total was split between payment methods: the total is OrderTotal |
| PaymentExecutionDetail[].* | status | ignored | how it was paid |
| IsReplacementOrder | flag | ignored | a replacement order is imported as an order (its prices are zero) |
| ReplacedOrderId | id | ignored | as IsReplacementOrder |
| IsPremiumOrder | flag | ignored | the ship service level is read |
| IsGlobalExpressEnabled | flag | ignored | the ship service level is read |
| IsSoldByAB | flag | ignored | Amazon Business seller flag |
| IsIBA | flag | ignored | Amazon brand seller flag |
| IsISPU | flag | ignored | in-store pick-up (India) |
| IsAccessPointOrder | flag | ignored | the shipping address is read as given |
| IsEstimatedShipDateSet | flag | ignored | dates are not promised from here |
| HasRegulatedItems | flag | ignored | regulated items are checked on the products |
| OrderType | status | ignored | StandardOrder, LongLeadTimeOrder, Preorder, BackOrder, SourcingOnDemandOrder: imported alike |
| EasyShipShipmentStatus | status | ignored | Amazon Easy Ship is not used |
| ElectronicInvoiceStatus | status | ignored | Brazilian e-invoices are not sent from here |
| SalesChannel | status | ignored | the marketplace id is read |
| OrderChannel | status | ignored | the marketplace id is read |
| BuyerInfo.BuyerEmail | id | mapped | email |
| BuyerInfo.BuyerName | id | mapped | customer_name |
| BuyerInfo.* | id | ignored | tax id, county, purchase order number |
| ShippingAddress.* | id | mapped | shipping_address (Name, CompanyName, AddressLine1-3, City, PostalCode, StateOrRegion, CountryCode, Phone) |
| DefaultShipFromLocationAddress.* | id | ignored | the warehouse is Odoo's |
| AutomatedShippingSettings.* | status | ignored | Amazon's shipping automation is not used |
| SellerOrderId | id | ignored | the seller's own reference |
| EarliestShipDate | status | ignored | LatestShipDate is kept |
| EarliestDeliveryDate | status | mapped | earliest_delivery_date (the start of the delivery window promised) |
| LatestDeliveryDate | status | mapped | latest_delivery_date (the order's deliver-by date) |
| PromiseResponseDueDate | status | ignored | sourcing-on-demand orders are imported alike |
| CbaDisplayableShippingLabel | status | ignored | Checkout by Amazon label text |
| SellerDisplayName | id | ignored | the seller's name |
| BuyerInvoicePreference | status | ignored | invoices are Odoo's |
| BuyerTaxInformation.* | id | ignored | the buyer's tax registration is not kept |
| MarketplaceTaxInfo.* | id | ignored | the marketplace's tax registration |
| FulfillmentInstruction.* | id | ignored | Amazon's suggested warehouse: Odoo routes its own |

Amazon OrderItem (Orders API v0 ``getOrderItems`` ``OrderItem``, the ``OrderItems[]`` of a stored payload)

| field | kind | disposition | note |
|---|---|---|---|
| OrderItemId | id | mapped | OrderLine external_id |
| SellerSKU | id | mapped | OrderLine sku |
| Title | status | mapped | OrderLine name |
| ASIN | id | mapped | OrderLine product_external_id (matched through the channel's listings with the SellerSKU); name when there is no title |
| QuantityOrdered | quantity | mapped | OrderLine quantity; an item with 0 in a Canceled order is left out |
| QuantityShipped | quantity | mapped | shipped_quantity (at most QuantityOrdered): an order PartiallyShipped before import has those units delivered from the channel's fulfilled location, Odoo ships the rest |
| ItemPrice.Amount | money | mapped | OrderLine unit_price (ItemPrice / QuantityOrdered); refused "is missing" |
| ItemTax.Amount | money | mapped | a TaxLine of the line (less PromotionDiscountTax) |
| PromotionDiscount.Amount | money | mapped | the line's Discount; refused "the promotion discount exceeds the item price" |
| PromotionDiscountTax.Amount | money | mapped | taken off the line's tax; refused "the promotion's tax exceeds the item tax" |
| PromotionIds[] | status | mapped | the Discount's code |
| ShippingPrice.Amount | money | mapped | the order's ShippingLine price (summed over the items) |
| ShippingDiscount.Amount | money | mapped | the ShippingLine's Discount |
| ShippingTax.Amount | money | mapped | the ShippingLine's TaxLine (less ShippingDiscountTax) |
| ShippingDiscountTax.Amount | money | mapped | taken off the shipping tax |
| *.CurrencyCode | money | mapped | refused "is in X, the order is in Y" when not the order's currency |
| CODFee.Amount | money | mapped | the order's FeeLine of kind cod_fee (summed over the items): a line of the channel's Cash on Delivery Fee product |
| CODFeeDiscount.Amount | money | mapped | that FeeLine's Discount (the line's discount); refused "the COD fee discount exceeds the COD fee" |
| BuyerInfo.GiftWrapPrice.Amount | money | mapped | a FeeLine of kind gift_wrap per item: a line of the channel's Gift Wrap product |
| BuyerInfo.GiftWrapTax.Amount | money | mapped | that FeeLine's TaxLine (rate from the amounts); refused "the gift wrap tax exceeds its price" when prices include tax |
| BuyerInfo.GiftMessageText | status | mapped | the OrderLine's Gift message: the deliveries' note |
| BuyerInfo.GiftWrapLevel | status | mapped | the Gift's wrap_level (deliveries' note) and the gift wrap FeeLine's name |
| BuyerInfo.* | id | ignored | customisation URLs (BuyerCustomizedInfo) |
| IsGift | flag | mapped | "true": the OrderLine's Gift (the deliveries' note); refused unless "true" or "false" |
| PointsGranted.PointsNumber | quantity | mapped | points_granted: a timeline note, never money of the order; refused unless a whole number |
| PointsGranted.PointsMonetaryValue.Amount | money | mapped | points_value: the note's worth (Amazon pays it), not in the total |
| BuyerRequestedCancel.IsBuyerRequestedCancel | flag | mapped | "true" on any item: cancel_requested, a Buyer Asked to Cancel hold; refused unless "true" or "false" |
| BuyerRequestedCancel.BuyerCancelReason | status | mapped | cancel_request_reason, named by the hold |
| TaxCollection.Model | status | mapped | MarketplaceFacilitator: the item's tax (item, shipping, gift wrap, net of promotions) is withheld_tax, collected and remitted by Amazon: charged to the buyer all the same, not paid out to the seller |
| TaxCollection.ResponsibleParty | status | ignored | who remits it ("Amazon Services, Inc."): TaxCollection.Model says it is Amazon |
| ProductInfo.NumberOfItems | quantity | ignored | units in one sellable item (a pack): the SKU's product is the pack |
| PriceDesignation | status | ignored | Amazon Business pricing: the price is read as given |
| SerialNumberRequired | flag | ignored | serial numbers are Odoo's lots |
| IsTransparency | flag | ignored | Transparency codes are not handled |
| DeemedResellerCategory | status | ignored | IOSS / UOSS: who remits VAT, charged all the same |
| IossNumber | id | ignored | as DeemedResellerCategory |
| ConditionId | status | ignored | the product's condition is the SKU's |
| ConditionSubtypeId | status | ignored | as ConditionId |
| ConditionNote | status | ignored | as ConditionId |
| AssociatedItems[].* | id | ignored | items linked to this one (installation services) |
| ScheduledDeliveryStartDate | status | ignored | scheduled delivery window: Amazon's promise |
| ScheduledDeliveryEndDate | status | ignored | as ScheduledDeliveryStartDate |
| StoreChainStoreId | id | ignored | in-store pick-up |
| SerialNumbers[] | id | ignored | serial numbers are Odoo's lots |
| SubstitutionPreferences.* | status | ignored | grocery substitutions are not handled |
| Measurement.* | quantity | ignored | sold by weight or volume: the quantity ordered is read |
| ShippingConstraints.* | status | ignored | pallet delivery, signature and age checks: not handled |
| AmazonPrograms.* | status | ignored | Amazon programmes (Subscribe and Save) |

CSV file (``channel_mappers/csv_file.py``: one row per order line, the documented columns)

| field | kind | disposition | note |
|---|---|---|---|
| order_number | id | mapped | external_id and name; refused "is missing" |
| currency | money | mapped | currency; refused when not ISO 4217 |
| sku | id | mapped | OrderLine sku (or name) |
| name | status | mapped | OrderLine name |
| quantity | quantity | mapped | OrderLine quantity |
| unit_price | money | mapped | OrderLine unit_price |
| line_discount | money | mapped | the line's Discount |
| tax_rate | money | mapped | the TaxLine rate |
| tax_amount | money | mapped | the TaxLine amount (computed from tax_rate when empty) |
| taxes_included | flag | mapped | taxes_included |
| order_date | status | mapped | created_at |
| updated_at | status | mapped | version (else a hash of the rows) |
| order_total | money | mapped | totals.total (the lines' sum when empty) |
| payment_status | status | mapped | payment_status |
| cancelled | flag | mapped | cancelled |
| email | id | mapped | email |
| phone | id | mapped | phone |
| customer_name | id | mapped | customer_name |
| note | status | mapped | note |
| shipping_method | status | mapped | ShippingLine method and title |
| shipping_price | money | mapped | ShippingLine price |
| shipping_tax | money | mapped | the ShippingLine's TaxLine |
| billing_* | id | mapped | billing_address |
| shipping_* | id | mapped | shipping_address |
"""

import re
from functools import cache

try:
    from ...oms_core.http_core import field_map as _map
except ImportError:  # imported on its own by the unit tests (addons/ on sys.path)
    from oms_core.http_core import field_map as _map

DISPOSITIONS = _map.DISPOSITIONS
leaves = _map.leaves
KINDS = ("money", "quantity", "status", "flag", "id")
_HEADING = re.compile(
    r"^(Shopify Order Risk|Shopify Order|WooCommerce Order|Amazon OrderItem|Amazon Order|CSV file)(?= )"
)


def tables():
    """``{object: [(pattern, kind, disposition, note), ...]}`` read from the docstring."""
    return _map.tables(__doc__, _HEADING)


@cache
def _patterns(obj):
    return _map.patterns(tables()[obj])


def disposition(obj, path):
    """The first row of ``obj``'s table covering ``path``, or None."""
    return _map.first_row(_patterns(obj), path)


def unmapped(obj, data):
    """The paths of ``data``'s non-empty fields that ``obj``'s table does not cover."""
    return _map.unmapped(disposition, obj, data)
