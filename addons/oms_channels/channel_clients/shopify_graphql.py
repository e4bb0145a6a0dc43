"""Shopify GraphQL Admin API: the operations the client sends and the adapter of
their answers.

Shopify calls its REST Admin API legacy (October 2024); orders, risks, fulfillment
orders, fulfillments, inventory, cancellations and refunds go through the GraphQL
Admin API, ``POST /admin/api/<version>/graphql.json``. Each operation is named (the
simulator and the logs recognise it by that name) and lists only the fields
the Odoo side reads.

The order payload Odoo stores, and the Shopify mapper reads, stays in the shape
an ``orders/updated`` webhook carries (the REST ``order`` resource): webhooks did
not change, and a pulled order and a webhook of the same order must make the same
inbox record and the same order draft. :func:`order_from_graphql` is the one place
that turns a GraphQL ``Order`` into that shape: global ids
(``gid://shopify/Order/450789469``) become the numeric ids webhooks carry, enums
(``PAID``, ``CUSTOMER``) the lower-case words, money bags the shop-money amounts.
"""

GID_PREFIX = "gid://shopify/"

_MONEY = "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }"
_TAX_LINES = f"taxLines {{ title rate channelLiable priceSet {{ {_MONEY} }} }}"
_ALLOCATIONS = (
    f"discountAllocations {{ allocatedAmountSet {{ {_MONEY} }} discountApplication {{ index }} }}"
)
_ADDRESS = (
    "firstName lastName name company address1 address2 city province provinceCode "
    "zip country countryCodeV2 phone"
)
_LINE_ITEM = f"""
  id sku name title quantity currentQuantity unfulfilledQuantity variantTitle vendor
  requiresShipping taxable
  originalUnitPriceSet {{ {_MONEY} }}
  totalDiscountSet {{ {_MONEY} }}
  {_ALLOCATIONS}
  {_TAX_LINES}
  duties {{ id harmonizedSystemCode countryCodeOfOrigin price {{ {_MONEY} }} {_TAX_LINES} }}
  product {{ id }}
  variant {{ id inventoryItem {{ id }} }}
"""
ORDER_FIELDS = f"""
fragment OrderFields on Order {{
  id name email phone createdAt updatedAt processedAt cancelledAt cancelReason closedAt
  currencyCode presentmentCurrencyCode taxesIncluded dutiesIncluded test note tags sourceName
  displayFinancialStatus displayFulfillmentStatus
  totalPriceSet {{ {_MONEY} }}
  subtotalPriceSet {{ {_MONEY} }}
  totalTaxSet {{ {_MONEY} }}
  totalDiscountsSet {{ {_MONEY} }}
  totalShippingPriceSet {{ {_MONEY} }}
  totalTipReceivedSet {{ {_MONEY} }}
  originalTotalDutiesSet {{ {_MONEY} }}
  currentTotalDutiesSet {{ {_MONEY} }}
  originalTotalAdditionalFeesSet {{ {_MONEY} }}
  currentTotalAdditionalFeesSet {{ {_MONEY} }}
  currentTotalPriceSet {{ {_MONEY} }}
  currentTotalTaxSet {{ {_MONEY} }}
  currentTotalDiscountsSet {{ {_MONEY} }}
  currentShippingPriceSet {{ {_MONEY} }}
  currentSubtotalPriceSet {{ {_MONEY} }}
  customer {{ id email firstName lastName phone }}
  billingAddress {{ {_ADDRESS} }}
  shippingAddress {{ {_ADDRESS} }}
  {_TAX_LINES}
  discountApplications(first: 20) {{
    nodes {{
      index allocationMethod targetSelection targetType
      value {{
        ... on MoneyV2 {{ amount currencyCode }}
        ... on PricingPercentageValue {{ percentage }}
      }}
      ... on DiscountCodeApplication {{ code }}
      ... on ManualDiscountApplication {{ title }}
      ... on AutomaticDiscountApplication {{ title }}
      ... on ScriptDiscountApplication {{ title }}
    }}
  }}
  lineItems(first: $lines) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {_LINE_ITEM} }}
  }}
  shippingLines(first: 10, includeRemovals: true) {{
    nodes {{
      id code title source isRemoved
      originalPriceSet {{ {_MONEY} }}
      discountedPriceSet {{ {_MONEY} }}
      {_ALLOCATIONS}
      {_TAX_LINES}
    }}
  }}
}}
"""

SHOP = "query Shop { shop { id name myshopifyDomain currencyCode } }"

ORDERS_PAGE = (
    """
query OrdersPage($first: Int!, $after: String, $query: String, $lines: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ...OrderFields }
  }
}
"""
    + ORDER_FIELDS
)

ORDER = (
    """
query Order($id: ID!, $lines: Int!) {
  order(id: $id) { ...OrderFields }
}
"""
    + ORDER_FIELDS
)


def _more_lines_query(operation, root, line_fields):
    """The query of the ``lineItems`` of one ``root`` object after a cursor (the
    pages past the first)."""
    return f"""
query {operation}($id: ID!, $first: Int!, $after: String) {{
  {root}(id: $id) {{
    id
    lineItems(first: $first, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {line_fields} }}
    }}
  }}
}}
"""


ORDER_LINE_ITEMS = _more_lines_query("OrderLineItems", "order", _LINE_ITEM)

ORDER_RISKS = """
query OrderRisks($id: ID!) {
  order(id: $id) {
    id
    risk {
      recommendation
      assessments { riskLevel facts { description sentiment } provider { title } }
    }
  }
}
"""

_FO_LINE = "id totalQuantity remainingQuantity lineItem { id }"
FULFILLMENT_ORDERS = f"""
query FulfillmentOrders($id: ID!, $first: Int!, $after: String, $lines: Int!) {{
  order(id: $id) {{
    id
    fulfillmentOrders(first: $first, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        id status
        assignedLocation {{ location {{ id }} }}
        lineItems(first: $lines) {{
          pageInfo {{ hasNextPage endCursor }}
          nodes {{ {_FO_LINE} }}
        }}
      }}
    }}
  }}
}}
"""

FULFILLMENT_ORDER_LINE_ITEMS = _more_lines_query(
    "FulfillmentOrderLineItems", "fulfillmentOrder", _FO_LINE
)

FULFILLMENT_CREATE = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment {
      id status
      order { id }
      trackingInfo(first: 10) { company number url }
    }
    userErrors { field message }
  }
}
"""

ORDER_CANCEL = """
mutation OrderCancel(
  $orderId: ID!, $reason: OrderCancelReason!, $refund: Boolean!, $restock: Boolean!,
  $notifyCustomer: Boolean
) {
  orderCancel(
    orderId: $orderId, reason: $reason, refund: $refund, restock: $restock,
    notifyCustomer: $notifyCustomer
  ) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

PRODUCT_VARIANTS = """
query ProductVariants($first: Int!, $after: String) {
  productVariants(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id sku barcode title displayName price
      product { id title }
      inventoryItem { id }
    }
  }
}
"""

INVENTORY_SET_QUANTITIES = """
mutation InventorySetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup {
      createdAt reason
      changes { name delta quantityAfterChange item { id } location { id } }
    }
    userErrors { field message code }
  }
}
"""

# The ``available`` figure of a page of inventory items at one location (read
# before a compare-and-set): an item not stocked there has no level (null).
INVENTORY_LEVELS = """
query InventoryLevels($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      inventoryLevel(locationId: $locationId) {
        location { id }
        quantities(names: ["available"]) { name quantity }
      }
    }
  }
}
"""

LOCATIONS = """
query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after, includeInactive: true) {
    pageInfo { hasNextPage endCursor }
    nodes { id name isActive }
  }
}
"""


# --- ids -------------------------------------------------------------------------------
def numeric_id(value):
    """``gid://shopify/Order/450789469`` → ``450789469`` (an int, as webhooks carry
    ids); None stays None; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(GID_PREFIX):
        tail = value.rsplit("/", 1)[-1].split("?", 1)[0]
        return int(tail) if tail.isdigit() else tail
    return value


def gid(kind, value):
    """``("Order", 450789469)`` → ``gid://shopify/Order/450789469`` (a gid is kept)."""
    text = str(value)
    return text if text.startswith(GID_PREFIX) else f"{GID_PREFIX}{kind}/{text}"


# --- the adapter -----------------------------------------------------------------------
def order_from_graphql(node):
    """A GraphQL ``Order`` (the ``OrderFields`` fragment) in the shape of the REST
    ``order`` resource an ``orders/updated`` webhook carries: the fields the
    Shopify mapper reads (see ``channel_mappers/field_map.py``), with numeric ids,
    lower-case statuses and shop-money amounts as strings."""
    currency = node.get("currencyCode")
    applications = sorted(
        _nodes(node.get("discountApplications")), key=lambda app: app.get("index") or 0
    )
    order = {
        "id": numeric_id(node.get("id")),
        "admin_graphql_api_id": node.get("id"),
        "name": node.get("name"),
        "email": node.get("email"),
        "contact_email": node.get("email"),
        "phone": node.get("phone"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "processed_at": node.get("processedAt"),
        "cancelled_at": node.get("cancelledAt"),
        "cancel_reason": _lower(node.get("cancelReason")),
        "closed_at": node.get("closedAt"),
        "currency": currency,
        "presentment_currency": node.get("presentmentCurrencyCode"),
        "taxes_included": node.get("taxesIncluded"),
        "duties_included": node.get("dutiesIncluded"),
        "test": node.get("test"),
        "financial_status": _lower(node.get("displayFinancialStatus")),
        "fulfillment_status": _FULFILLMENT_STATUS.get(node.get("displayFulfillmentStatus")),
        "total_price": _amount(node.get("totalPriceSet")),
        "subtotal_price": _amount(node.get("subtotalPriceSet")),
        "total_tax": _amount(node.get("totalTaxSet")),
        "total_discounts": _amount(node.get("totalDiscountsSet")),
        "total_tip_received": _amount(node.get("totalTipReceivedSet")),
        "current_total_price": _amount(node.get("currentTotalPriceSet")),
        "current_total_tax": _amount(node.get("currentTotalTaxSet")),
        "current_total_discounts": _amount(node.get("currentTotalDiscountsSet")),
        "current_subtotal_price": _amount(node.get("currentSubtotalPriceSet")),
        "note": node.get("note"),
        "tags": ", ".join(node.get("tags") or ()),
        "source_name": node.get("sourceName"),
        "customer": _customer(node.get("customer")),
        "billing_address": _address(node.get("billingAddress")),
        "shipping_address": _address(node.get("shippingAddress")),
        "tax_lines": [_tax_line(tax) for tax in node.get("taxLines") or ()],
        "discount_applications": [_application(app) for app in applications],
        "line_items": [line_item_from_graphql(item) for item in _nodes(node.get("lineItems"))],
        "shipping_lines": [_shipping_line(item) for item in _nodes(node.get("shippingLines"))],
    }
    for rest_key, graphql_key in _MONEY_BAGS:
        bag = _bag(node.get(graphql_key))
        if bag is not None:
            order[rest_key] = bag
    return order


def line_item_from_graphql(item):
    """A GraphQL ``LineItem`` as the REST order's ``line_items[]`` entry."""
    variant = item.get("variant") or {}
    current = item.get("currentQuantity", item.get("quantity"))
    unfulfilled = item.get("unfulfilledQuantity")
    shipped = (
        max(0, current - unfulfilled)
        if isinstance(current, int) and isinstance(unfulfilled, int)
        else 0
    )
    return {
        "id": numeric_id(item.get("id")),
        "admin_graphql_api_id": item.get("id"),
        "sku": item.get("sku"),
        "name": item.get("name"),
        "title": item.get("title"),
        "variant_title": item.get("variantTitle"),
        "vendor": item.get("vendor"),
        "quantity": item.get("quantity"),
        "current_quantity": item.get("currentQuantity"),
        # What the REST line says of the units already fulfilled in Shopify: GraphQL
        # gives the units still to fulfil (``unfulfilledQuantity``) of the current ones.
        "fulfillable_quantity": unfulfilled,
        "fulfillment_status": (
            ("fulfilled" if shipped >= current else "partial") if shipped else None
        ),
        "requires_shipping": item.get("requiresShipping"),
        "taxable": item.get("taxable"),
        "price": _amount(item.get("originalUnitPriceSet")),
        "total_discount": _amount(item.get("totalDiscountSet")) or "0.00",
        "product_id": numeric_id((item.get("product") or {}).get("id")),
        "variant_id": numeric_id(variant.get("id")),
        "inventory_item_id": numeric_id((variant.get("inventoryItem") or {}).get("id")),
        "discount_allocations": [_allocation(a) for a in item.get("discountAllocations") or ()],
        "tax_lines": [_tax_line(tax) for tax in item.get("taxLines") or ()],
        "duties": [_duty(duty) for duty in item.get("duties") or ()],
    }


def risks_from_graphql(risk):
    """``order.risk`` (``OrderRiskSummary``) as the Order Risk resource's ``risks``
    list the mapper reads: one risk per assessment, ``riskLevel`` HIGH → cancel,
    MEDIUM → investigate, LOW / NONE → accept, the facts' descriptions as the
    message. A ``PENDING`` assessment (not made yet) says nothing and is left out."""
    risks = []
    for assessment in (risk or {}).get("assessments") or ():
        recommendation = _RISK_RECOMMENDATION.get(assessment.get("riskLevel"))
        if recommendation is None:
            continue
        facts = [fact.get("description") or "" for fact in assessment.get("facts") or ()]
        provider = (assessment.get("provider") or {}).get("title")
        risks.append(
            {
                "recommendation": recommendation,
                "message": "; ".join(fact for fact in facts if fact),
                "source": provider or "Shopify",
                "display": True,
            }
        )
    return risks


_FULFILLMENT_STATUS = {
    "FULFILLED": "fulfilled",
    "PARTIALLY_FULFILLED": "partial",
    "RESTOCKED": "restocked",
}
_RISK_RECOMMENDATION = {
    "HIGH": "cancel",
    "MEDIUM": "investigate",
    "LOW": "accept",
    "NONE": "accept",
}
_MONEY_BAGS = (
    ("total_shipping_price_set", "totalShippingPriceSet"),
    ("original_total_duties_set", "originalTotalDutiesSet"),
    ("current_total_duties_set", "currentTotalDutiesSet"),
    ("original_total_additional_fees_set", "originalTotalAdditionalFeesSet"),
    ("current_total_additional_fees_set", "currentTotalAdditionalFeesSet"),
    ("current_shipping_price_set", "currentShippingPriceSet"),
)


def _nodes(connection):
    return list((connection or {}).get("nodes") or ())


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _amount(money_bag):
    shop = (money_bag or {}).get("shopMoney") or {}
    return shop.get("amount")


def _bag(money_bag):
    if not money_bag:
        return None
    result = {}
    for rest_key, key in (("shop_money", "shopMoney"), ("presentment_money", "presentmentMoney")):
        money = money_bag.get(key)
        if money:
            result[rest_key] = {
                "amount": money.get("amount"),
                "currency_code": money.get("currencyCode"),
            }
    return result


def _tax_line(tax):
    return {
        "title": tax.get("title"),
        "rate": tax.get("rate"),
        "price": _amount(tax.get("priceSet")),
        "channel_liable": tax.get("channelLiable"),
    }


def _allocation(allocation):
    return {
        "amount": _amount(allocation.get("allocatedAmountSet")),
        "discount_application_index": (allocation.get("discountApplication") or {}).get("index"),
    }


def _application(app):
    value = app.get("value") or {}
    result = {
        "type": "discount_code" if "code" in app else "manual" if "title" in app else None,
        "allocation_method": _lower(app.get("allocationMethod")),
        "target_selection": _lower(app.get("targetSelection")),
        "target_type": _lower(app.get("targetType")),
        "value": value.get("amount") if "amount" in value else value.get("percentage"),
        "value_type": "fixed_amount" if "amount" in value else "percentage",
    }
    if app.get("code"):
        result["code"] = app["code"]
    if app.get("title"):
        result["title"] = app["title"]
    return result


def _duty(duty):
    return {
        "id": numeric_id(duty.get("id")),
        "harmonized_system_code": duty.get("harmonizedSystemCode"),
        "country_code_of_origin": duty.get("countryCodeOfOrigin"),
        "price_set": _bag(duty.get("price")),
        "tax_lines": [_tax_line(tax) for tax in duty.get("taxLines") or ()],
    }


def _shipping_line(item):
    return {
        "id": numeric_id(item.get("id")),
        "code": item.get("code"),
        "title": item.get("title"),
        "source": item.get("source"),
        "price": _amount(item.get("originalPriceSet")),
        "discounted_price": _amount(item.get("discountedPriceSet")),
        "is_removed": bool(item.get("isRemoved")),
        "discount_allocations": [_allocation(a) for a in item.get("discountAllocations") or ()],
        "tax_lines": [_tax_line(tax) for tax in item.get("taxLines") or ()],
    }


def _customer(customer):
    if not customer:
        return None
    return {
        "id": numeric_id(customer.get("id")),
        "email": customer.get("email"),
        "first_name": customer.get("firstName"),
        "last_name": customer.get("lastName"),
        "phone": customer.get("phone"),
    }


def _address(address):
    if not address:
        return None
    return {
        "first_name": address.get("firstName"),
        "last_name": address.get("lastName"),
        "name": address.get("name"),
        "company": address.get("company"),
        "address1": address.get("address1"),
        "address2": address.get("address2"),
        "city": address.get("city"),
        "province": address.get("province"),
        "province_code": address.get("provinceCode"),
        "zip": address.get("zip"),
        "country": address.get("country"),
        "country_code": address.get("countryCodeV2"),
        "phone": address.get("phone"),
    }


# --- refunds ---------------------------------------------------------------------------
SUGGESTED_REFUND = f"""
query SuggestedRefund(
  $id: ID!, $refundLineItems: [RefundLineItemInput!], $shippingAmount: Money,
  $refundShipping: Boolean
) {{
  order(id: $id) {{
    id
    suggestedRefund(
      refundLineItems: $refundLineItems, shippingAmount: $shippingAmount,
      refundShipping: $refundShipping
    ) {{
      amountSet {{ {_MONEY} }}
      maximumRefundableSet {{ {_MONEY} }}
      suggestedTransactions {{
        kind gateway
        amountSet {{ {_MONEY} }}
        parentTransaction {{ id kind }}
      }}
    }}
  }}
}}
"""

_REFUND = f"""
  id note createdAt
  totalRefundedSet {{ {_MONEY} }}
  transactions(first: 10) {{ nodes {{ id kind status gateway amountSet {{ {_MONEY} }} }} }}
"""

REFUND_CREATE = f"""
mutation RefundCreate($input: RefundInput!) {{
  refundCreate(input: $input) {{
    refund {{ {_REFUND} }}
    userErrors {{ field message }}
  }}
}}
"""

ORDER_REFUNDS = f"""
query OrderRefunds($id: ID!) {{
  order(id: $id) {{ id refunds(first: 50) {{ {_REFUND} }} }}
}}
"""
