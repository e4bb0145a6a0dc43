# ruff: noqa: E501 (a field map row is one table line, however long)
"""What we do with every field of the carriers' answers (issue 26): the field map.

One table per documented object we read. Each row is a field path (``[]`` for
the items of a list, ``*`` for any run of characters) and what becomes of it:
``mapped`` (to what), ``ignored`` (why) or ``refused`` (the error it raises).
The money, quantity, status and flag fields are listed one by one; the rest
(ids, timestamps, addresses we sent ourselves, display text) by pattern.
``test_field_map.py`` walks the carriers' documented example objects (the
fixtures) and fails on a field with a value that no row covers, so that a field
a new API version adds is noticed, not dropped. The first row matching a path
applies; a field of a Shipment's ``selected_rate`` not named on its own is read
as the same field of ``rates[]``.

EasyPost Shipment (``POST /v2/shipments``, ``/buy``, ``/insure``, ``GET``)

| field | kind | disposition | note |
|---|---|---|---|
| id | id | mapped | oms.carrier.shipment reference; the purchase attempt |
| status | status | ignored | a shipment's status is always "unknown"; tracking comes from the Tracker |
| tracking_code | id | mapped | oms.carrier.shipment tracking_number, the delivery's tracking reference |
| reference | id | ignored | our own delivery name, sent by us |
| mode | flag | ignored | test or production: follows the API key |
| is_return | flag | ignored | we never ask for return labels |
| insurance | money | ignored | the value covered, not a cost; the premium is the InsuranceFee |
| usps_zone | quantity | ignored | USPS pricing zone, already priced in the rate |
| fees[].amount | money | mapped | added into the label cost (delivery carrier price, cost to serve); refused (carrier error "EasyPost answered a fee amount") when not a number |
| fees[].type | status | mapped | which fee: PostageFee replaces the rate as postage, the others add up; cost details |
| fees[].refunded | flag | mapped | a refunded fee is not in the label cost |
| fees[].charged | flag | ignored | whether EasyPost has charged it yet: billed all the same |
| fees[].object | id | ignored | the object's name |
| rates[].rate | money | mapped | Rate amount: quotes, rate shopping, the rate bought |
| rates[].currency | money | mapped | Rate currency; fees (USD) are added only to a USD rate |
| rates[].retail_rate | money | ignored | the carrier's counter price, not what we pay |
| rates[].retail_currency | money | ignored | currency of retail_rate |
| rates[].list_rate | money | ignored | the carrier's list price, not what we pay |
| rates[].list_currency | money | ignored | currency of list_rate |
| rates[].delivery_days | quantity | mapped | Rate delivery_days (routing's promise) |
| rates[].est_delivery_days | quantity | mapped | Rate delivery_days when delivery_days is empty |
| rates[].delivery_date | status | mapped | Rate delivery_date |
| rates[].delivery_date_guaranteed | flag | mapped | Rate guaranteed |
| rates[].carbon_offset.price | money | ignored | offered with the rate; what is bought is the CarbonOffsetFee |
| rates[].carbon_offset.currency | money | ignored | currency of the offer above |
| rates[].carbon_offset.grams | quantity | ignored | CO2 of the offer, not stored |
| rates[].carbon_offset.object | id | ignored | the object's name |
| rates[].billing_type | status | ignored | EasyPost or carrier billing: the fees say what EasyPost bills |
| rates[].carrier | status | mapped | Rate carrier (the service code carrier/service) |
| rates[].service | status | mapped | Rate service |
| rates[].id | id | mapped | the rate bought |
| rates[].carrier_account_id | id | ignored | the account is chosen on EasyPost's side |
| rates[].shipment_id | id | ignored | the shipment the rate is read from |
| rates[].mode | flag | ignored | test or production |
| rates[].object | id | ignored | the object's name |
| rates[].created_at | id | ignored | timestamp |
| rates[].updated_at | id | ignored | timestamp |
| selected_rate.rate | money | mapped | the postage when there is no PostageFee (carrier-billed) |
| selected_rate.currency | money | mapped | Purchase currency |
| messages[].* | status | mapped | CarrierMessage: why a carrier gave no rate (shown on rate shopping) |
| postage_label.label_url | id | mapped | the label file |
| postage_label.label_file_type | status | mapped | the label file's format |
| postage_label.label_pdf_url | id | mapped | the PDF label |
| postage_label.label_zpl_url | id | mapped | the ZPL label |
| postage_label.label_epl2_url | id | mapped | the EPL2 label |
| postage_label.date_advance | quantity | ignored | days the label is post-dated: we never ask for it |
| postage_label.label_resolution | quantity | ignored | printing detail of the file we store as is |
| postage_label.* | id | ignored | ids, size, type, dates of the label file |
| refund_status | status | mapped | VoidResult status after a refund |
| scan_form.id | id | mapped | the scan form the shipment is on (read back at Close the Day) |
| scan_form.* | id | ignored | read through GET /v2/scan_forms/:id |
| tracker.id | id | mapped | Shipment tracker_id |
| tracker.* | status | ignored | read through the Tracker itself (trackers, webhooks) |
| options.label_format | status | ignored | sent by us |
| options.currency | money | ignored | the account's currency; the rates carry theirs |
| options.* | flag | ignored | options sent by us (payment, invoice number, date advance...) |
| parcel.weight | quantity | ignored | sent by us (ounces) |
| parcel.length | quantity | ignored | sent by us (inches) |
| parcel.width | quantity | ignored | sent by us (inches) |
| parcel.height | quantity | ignored | sent by us (inches) |
| parcel.* | id | ignored | ids, mode, timestamps |
| customs_info.customs_items[].quantity | quantity | ignored | sent by us from the delivery |
| customs_info.customs_items[].value | money | ignored | sent by us from the delivery |
| customs_info.customs_items[].weight | quantity | ignored | sent by us from the delivery |
| customs_info.* | id | ignored | the customs data we sent, echoed |
| *_address.residential | flag | ignored | EasyPost's reading of an address we sent; not stored |
| *_address.verifications.* | status | ignored | address checks are made by verify_address, not here |
| *_address.* | id | ignored | the addresses we sent, echoed |
| forms[].* | id | ignored | customs forms are printed by Odoo |
| batch_* | status | ignored | we do not use batches |
| order_id | id | ignored | we do not use EasyPost orders |
| object | id | ignored | the object's name |
| created_at | id | ignored | timestamp |
| updated_at | id | ignored | timestamp |

EasyPost Tracker (``GET /v2/trackers/:id``, and the ``result`` of a webhook Event)

| field | kind | disposition | note |
|---|---|---|---|
| status | status | mapped | Tracking status (normalised, every documented value) |
| status_detail | status | ignored | finer than we keep; the event message says it |
| tracking_code | id | refused | "the tracking answer is about X, not Y" when not the parcel asked for (poll) or the parcel of its tracker / shipment (webhook); else Tracking tracking_number |
| carrier | status | mapped | Tracking carrier |
| est_delivery_date | status | mapped | Tracking estimated_delivery |
| public_url | id | mapped | Tracking public_url |
| id | id | mapped | Tracking id (the parcel's tracker); refused when a read tracker answers as another |
| tracking_details[].status | status | mapped | TrackingEvent status |
| tracking_details[].message | status | mapped | TrackingEvent description |
| tracking_details[].datetime | status | mapped | TrackingEvent occurred_at, converted to UTC (no zone: UTC, as documented); refused when not ISO 8601 |
| tracking_details[].tracking_location.city | status | mapped | TrackingEvent city |
| tracking_details[].tracking_location.country | status | mapped | TrackingEvent country |
| tracking_details[].status_detail | status | ignored | as status_detail above |
| tracking_details[].* | id | ignored | source, state, zip, object names |
| weight | quantity | ignored | the carrier's weighing, not billed through us |
| signed_by | status | ignored | proof of delivery is not kept |
| fees[].amount | money | ignored | tracker fees are billed on EasyPost's account, not per label |
| fees[].* | money | ignored | as above |
| carrier_detail.* | status | ignored | origin/destination details, not kept |
| shipment_id | id | mapped | Tracking shipment_id: a webhook's tracker is matched to our parcel by it (or by its id), then its tracking_code checked |
| mode | flag | ignored | test or production |
| object | id | ignored | the object's name |
| created_at | id | ignored | timestamp |
| updated_at | id | ignored | timestamp |

EasyPost Event (webhook ``POST`` body; its ``result`` is read with the Tracker table)

| field | kind | disposition | note |
|---|---|---|---|
| id | id | mapped | WebhookEvent id |
| description | status | mapped | WebhookEvent description (tracker.updated...) |
| status | status | ignored | EasyPost's delivery status of the webhook itself |
| previous_attributes.* | status | ignored | the new state is read, not the difference |
| pending_urls* | id | ignored | EasyPost's delivery bookkeeping |
| completed_urls* | id | ignored | EasyPost's delivery bookkeeping |
| mode | flag | ignored | test or production |
| object | id | ignored | the object's name |
| created_at | id | ignored | timestamp |
| updated_at | id | ignored | timestamp |

UPS Track API v1 (``GET /api/track/v1/details/{inquiryNumber}``)

| field | kind | disposition | note |
|---|---|---|---|
| trackResponse.shipment[].inquiryNumber | id | refused | "the tracking answer is about X, not Y" when not the number asked for |
| trackResponse.shipment[].warnings[].code | status | mapped | TW0001 is "no news yet"; another without a package is a carrier error naming it |
| trackResponse.shipment[].warnings[].message | status | mapped | in the carrier status or the error |
| trackResponse.shipment[].package[].trackingNumber | id | mapped | Tracking tracking_number; refused when no package is the one asked for |
| trackResponse.shipment[].package[].currentStatus.type | status | mapped | Tracking status (documented status types) |
| trackResponse.shipment[].package[].currentStatus.code | status | mapped | with type: out for delivery (OT) |
| trackResponse.shipment[].package[].currentStatus.statusCode | status | mapped | with type: out for delivery (021) |
| trackResponse.shipment[].package[].currentStatus.description | status | mapped | Tracking carrier_status |
| trackResponse.shipment[].package[].currentStatus.simplifiedTextDescription | status | ignored | the description says it |
| trackResponse.shipment[].package[].activity[].status.type | status | mapped | TrackingEvent status |
| trackResponse.shipment[].package[].activity[].status.code | status | mapped | TrackingEvent carrier_status |
| trackResponse.shipment[].package[].activity[].status.statusCode | status | mapped | with type: out for delivery |
| trackResponse.shipment[].package[].activity[].status.description | status | mapped | TrackingEvent description |
| trackResponse.shipment[].package[].activity[].gmtDate | status | mapped | TrackingEvent occurred_at in UTC, with gmtTime (first choice) |
| trackResponse.shipment[].package[].activity[].gmtTime | status | mapped | with gmtDate; HH:MM:SS or HHMMSS (the documented 74700 is 07:47:00) |
| trackResponse.shipment[].package[].activity[].gmtOffset | status | mapped | without gmtDate/gmtTime: UTC is date + time less the offset |
| trackResponse.shipment[].package[].activity[].date | status | mapped | local date: with gmtOffset, or alone (then assumed UTC, see ups.py); dropped, logged, when not a date |
| trackResponse.shipment[].package[].activity[].time | status | mapped | local time, as date |
| trackResponse.shipment[].package[].activity[].location.address.city | status | mapped | TrackingEvent city |
| trackResponse.shipment[].package[].activity[].location.address.countryCode | status | mapped | TrackingEvent country |
| trackResponse.shipment[].package[].activity[].location.* | status | ignored | state, postal code, country name, SLIC |
| trackResponse.shipment[].package[].deliveryDate[].date | status | mapped | Tracking estimated_delivery (dropped, logged, when not a date) |
| trackResponse.shipment[].package[].deliveryDate[].type | status | ignored | scheduled, rescheduled or delivered: the first date is taken |
| trackResponse.shipment[].package[].packageCount | quantity | ignored | each package is tracked by its own number |
| trackResponse.shipment[].package[].weight.* | quantity | ignored | the carrier's weighing, billed on UPS's invoice |
| trackResponse.shipment[].package[].service.* | status | ignored | the service bought is on the delivery |
| trackResponse.shipment[].userRelation[] | status | ignored | whose parcel it is to UPS |
| trackResponse.shipment[].package[].paymentInformation[].amount | money | ignored | what the receiver pays UPS (COD, duties), not our cost |
| trackResponse.shipment[].package[].paymentInformation[].currency | money | ignored | currency of the amount above |
| trackResponse.shipment[].package[].paymentInformation[].* | status | ignored | id, type, method and paid flag of the receiver's payment |
| trackResponse.shipment[].package[].statusCode | status | ignored | the package's summary code; currentStatus is read |
| trackResponse.shipment[].package[].statusDescription | status | ignored | as statusCode |
| trackResponse.shipment[].package[].activity[].status.simplifiedTextDescription | status | ignored | the description says it |
| trackResponse.shipment[].package[].milestones[].* | status | ignored | UPS's summary of the activities, which are read one by one |
| trackResponse.shipment[].package[].deliveryInformation.* | status | ignored | proof of delivery (signature, photo, who received it) is not kept |
| trackResponse.shipment[].package[].deliveryTime.* | status | ignored | delivery window; the date is read from deliveryDate |
| trackResponse.shipment[].package[].packageAddress[].* | id | ignored | the addresses we sent, echoed |
| trackResponse.shipment[].package[].referenceNumber[].* | id | ignored | our own reference, sent by us |
| trackResponse.shipment[].package[].alternateTrackingNumber[].* | id | ignored | USPS / Mail Innovations numbers of the same parcel |
| trackResponse.shipment[].package[].additionalServices[] | flag | ignored | services bought with the label (on the delivery) |
| trackResponse.shipment[].package[].additionalAttributes[] | flag | ignored | sensor events and the like, not kept |
| trackResponse.shipment[].package[].accessPointInformation.* | status | ignored | access point pickup date, not kept |
| trackResponse.shipment[].package[].suppressionIndicators | flag | ignored | what UPS hides from the answer |

UPS errors (any API: ``response.errors[]``, HTTP 4xx / 5xx)

| field | kind | disposition | note |
|---|---|---|---|
| response.errors[].code | status | refused | the carrier error's code (typed by HTTP status: auth, validation, not found...) |
| response.errors[].message | status | refused | the carrier error's message, shown to the user |

UPS Rating API (``POST /api/rating/{version}/{Rate,Shop}``: ``RateResponse``, ``RATEResponseWrapper`` of Rating.yaml)

A single element may come as a bare object instead of a list (UPS's habit): the
paths match with or without ``[]``. The money of a rated shipment is read from
``NegotiatedRateCharges`` (the account's negotiated rates, what the merchant
pays: asked for with ``NegotiatedRatesIndicator``) when it has an amount, else
from the published ``TotalCharges``.

| field | kind | disposition | note |
|---|---|---|---|
| RateResponse.RatedShipment[].NegotiatedRateCharges.TotalCharge.MonetaryValue | money | mapped | Rate amount (first choice); a value that is not a number is not an amount: the published total is read |
| RateResponse.RatedShipment[].NegotiatedRateCharges.TotalCharge.CurrencyCode | money | mapped | Rate currency with the amount above |
| RateResponse.RatedShipment[].TotalCharges.MonetaryValue | money | mapped | Rate amount without negotiated rates; a rated shipment with no amount that is a number is left out (logged), never a quote of 0 |
| RateResponse.RatedShipment[].TotalCharges.CurrencyCode | money | mapped | Rate currency with the amount above |
| RateResponse.RatedShipment[].NegotiatedRateCharges.TotalChargesWithTaxes.* | money | ignored | the total plus the taxes UPS adds (VAT, GST) when asked for; we do not ask, and a business reclaims them: the cost is net |
| RateResponse.RatedShipment[].TotalChargesWithTaxes.* | money | ignored | as above, for the published rate |
| RateResponse.RatedShipment[].TaxCharges[].* | money | ignored | the taxes of TotalChargesWithTaxes |
| RateResponse.RatedShipment[].NegotiatedRateCharges.TaxCharges[].* | money | ignored | as above |
| RateResponse.RatedShipment[].TransportationCharges.* | money | ignored | part of TotalCharges (base plus itemized surcharges) |
| RateResponse.RatedShipment[].BaseServiceCharge.* | money | ignored | part of TransportationCharges |
| RateResponse.RatedShipment[].ServiceOptionsCharges.* | money | ignored | part of TotalCharges (options such as signature) |
| RateResponse.RatedShipment[].ItemizedCharges[].* | money | ignored | surcharges (fuel, residential...) already in TotalCharges; a quote keeps its total only (the label keeps them, see Shipping) |
| RateResponse.RatedShipment[].NegotiatedRateCharges.BaseServiceCharge* | money | ignored | part of the negotiated TotalCharge |
| RateResponse.RatedShipment[].NegotiatedRateCharges.ItemizedCharges[].* | money | ignored | surcharges already in the negotiated TotalCharge |
| RateResponse.RatedShipment[].NegotiatedRateCharges.RateModifier[].* | money | ignored | modifiers already applied to the negotiated TotalCharge |
| RateResponse.RatedShipment[].RatedPackage[].* | money | ignored | each package's share of the shipment's charges, whose total is read |
| RateResponse.RatedShipment[].FRSShipmentData.* | money | ignored | Ground Freight Pricing (freight): we never ask for it |
| RateResponse.RatedShipment[].Service.Code | status | mapped | Rate service (and its name from our list) |
| RateResponse.RatedShipment[].Service.Description | status | ignored | our own name of the code is shown |
| RateResponse.RatedShipment[].GuaranteedDelivery.BusinessDaysInTransit | quantity | mapped | Rate delivery_days; guaranteed when given |
| RateResponse.RatedShipment[].GuaranteedDelivery.DeliveryByTime | status | ignored | the time of day of a guaranteed delivery, not kept |
| RateResponse.RatedShipment[].GuaranteedDelivery.ScheduledDeliveryDate | status | ignored | only with time in transit, which we do not ask for |
| RateResponse.RatedShipment[].TimeInTransit.* | status | ignored | time in transit is not asked for (``Shoptimeintransit``); days come from GuaranteedDelivery |
| RateResponse.RatedShipment[].BillingWeight.* | quantity | ignored | the weight UPS bills (dimensional or actual): priced in the total |
| RateResponse.RatedShipment[].BillableWeightCalculationMethod | status | ignored | how the billing weight was found |
| RateResponse.RatedShipment[].RatingMethod | status | ignored | shipment- or package-level rating, priced in the total |
| RateResponse.RatedShipment[].RateChart | status | ignored | the rate chart used, priced in the total |
| RateResponse.RatedShipment[].Zone | status | ignored | pricing zone, priced in the total |
| RateResponse.RatedShipment[].RoarRatedIndicator | flag | ignored | UPS Ready rating, priced in the total |
| RateResponse.RatedShipment[].Disclaimer[].* | status | ignored | UPS's standard wording about taxes and duties |
| RateResponse.RatedShipment[].RatedShipmentAlert[].* | status | ignored | notices such as "your invoice may vary" |
| RateResponse.Response.ResponseStatus.* | status | ignored | 1 Success on HTTP 200; errors come as HTTP 4xx with response.errors |
| RateResponse.Response.Alert[].* | status | ignored | notices about the request (a field ignored...), not errors |
| RateResponse.Response.AlertDetail[].* | status | ignored | as Alert |
| RateResponse.Response.TransactionReference.* | id | ignored | our own reference, echoed |

UPS Shipping API (``POST /api/shipments/{version}/ship``: ``ShipmentResponse``, ``SHIPResponseWrapper`` of Shipping.yaml)

The label cost is read as for a rate (negotiated first); the surcharges UPS
itemizes for the charges read are kept as the label's cost details.

| field | kind | disposition | note |
|---|---|---|---|
| ShipmentResponse.ShipmentResults.NegotiatedRateCharges.TotalCharge.MonetaryValue | money | mapped | Purchase amount (first choice): the delivery's carrier price, cost to serve, the parcel's label cost |
| ShipmentResponse.ShipmentResults.NegotiatedRateCharges.TotalCharge.CurrencyCode | money | mapped | Purchase currency with the amount above |
| ShipmentResponse.ShipmentResults.ShipmentCharges.TotalCharges.MonetaryValue | money | mapped | Purchase amount without negotiated rates; no amount that is a number: none (logged), the label is kept |
| ShipmentResponse.ShipmentResults.ShipmentCharges.TotalCharges.CurrencyCode | money | mapped | Purchase currency with the amount above |
| ShipmentResponse.ShipmentResults.NegotiatedRateCharges.ItemizedCharges[].MonetaryValue | money | mapped | Purchase fees (cost details) when the negotiated total is read |
| ShipmentResponse.ShipmentResults.NegotiatedRateCharges.ItemizedCharges[].Code | status | mapped | the fee's name (UPS accessorial code) |
| ShipmentResponse.ShipmentResults.NegotiatedRateCharges.ItemizedCharges[].SubType | status | mapped | with the code, in the fee's name |
| ShipmentResponse.ShipmentResults.NegotiatedRateCharges.ItemizedCharges[].* | money | ignored | currency and description of the fee (the total's currency is the label's) |
| ShipmentResponse.ShipmentResults.ShipmentCharges.ItemizedCharges[].MonetaryValue | money | mapped | Purchase fees (cost details) when the published total is read |
| ShipmentResponse.ShipmentResults.ShipmentCharges.ItemizedCharges[].Code | status | mapped | the fee's name (UPS accessorial code) |
| ShipmentResponse.ShipmentResults.ShipmentCharges.ItemizedCharges[].SubType | status | mapped | with the code, in the fee's name |
| ShipmentResponse.ShipmentResults.ShipmentCharges.ItemizedCharges[].* | money | ignored | as above |
| ShipmentResponse.ShipmentResults.ShipmentCharges.ServiceOptionsCharges.MonetaryValue | money | mapped | Purchase fee ServiceOptions (options such as signature), part of the total |
| ShipmentResponse.ShipmentResults.ShipmentCharges.ServiceOptionsCharges.CurrencyCode | money | ignored | the total's currency |
| ShipmentResponse.ShipmentResults.ShipmentCharges.TotalChargesWithTaxes.* | money | ignored | the total plus taxes, reclaimed by a business: the cost is net |
| ShipmentResponse.ShipmentResults.NegotiatedRateCharges.TotalChargesWithTaxes.* | money | ignored | as above |
| ShipmentResponse.ShipmentResults.ShipmentCharges.TaxCharges[].* | money | ignored | the taxes of TotalChargesWithTaxes |
| ShipmentResponse.ShipmentResults.NegotiatedRateCharges.TaxCharges[].* | money | ignored | as above |
| ShipmentResponse.ShipmentResults.ShipmentCharges.TransportationCharges.* | money | ignored | part of TotalCharges (base plus itemized surcharges) |
| ShipmentResponse.ShipmentResults.ShipmentCharges.BaseServiceCharge.* | money | ignored | part of TransportationCharges |
| ShipmentResponse.ShipmentResults.ShipmentCharges.RateChart | status | ignored | the rate chart used, priced in the total |
| ShipmentResponse.ShipmentResults.NegotiatedRateCharges.RateModifier[].* | money | ignored | modifiers already applied to the negotiated total |
| ShipmentResponse.ShipmentResults.FRSShipmentData.* | money | ignored | Ground Freight Pricing (freight): never asked for |
| ShipmentResponse.ShipmentResults.ShipmentIdentificationNumber | id | mapped | Purchase shipment_id (what void takes) |
| ShipmentResponse.ShipmentResults.PackageResults[].TrackingNumber | id | mapped | PackageLabel tracking_number; one per package sent, refused otherwise ("one label per package expected") |
| ShipmentResponse.ShipmentResults.PackageResults[].ShippingLabel.GraphicImage | id | mapped | the label file (base64) |
| ShipmentResponse.ShipmentResults.PackageResults[].ShippingLabel.ImageFormat.Code | status | mapped | the label file's format |
| ShipmentResponse.ShipmentResults.PackageResults[].ShippingLabel.* | id | ignored | the HTML page, image parts, PDF417 and signature image around the label |
| ShipmentResponse.ShipmentResults.PackageResults[].ShippingReceipt.* | id | ignored | a receipt image, not kept |
| ShipmentResponse.ShipmentResults.PackageResults[].BaseServiceCharge.* | money | ignored | the package's share of the shipment's charges, whose total is read |
| ShipmentResponse.ShipmentResults.PackageResults[].ServiceOptionsCharges.* | money | ignored | as above |
| ShipmentResponse.ShipmentResults.PackageResults[].ItemizedCharges[].* | money | ignored | as above (in the shipment's itemized charges) |
| ShipmentResponse.ShipmentResults.PackageResults[].NegotiatedCharges.* | money | ignored | as above, negotiated |
| ShipmentResponse.ShipmentResults.PackageResults[].RateModifier[].* | money | ignored | modifiers already applied to the total |
| ShipmentResponse.ShipmentResults.PackageResults[].SimpleRate.Code | status | ignored | UPS Simple Rate size: never asked for |
| ShipmentResponse.ShipmentResults.PackageResults[].Accessorial[].* | status | ignored | the services of the package, sent by us |
| ShipmentResponse.ShipmentResults.PackageResults[].Form.* | id | ignored | forms of the package; customs papers are printed by Odoo |
| ShipmentResponse.ShipmentResults.PackageResults[].USPSPICNumber | id | ignored | Mail Innovations only |
| ShipmentResponse.ShipmentResults.PackageResults[].CN22Number | id | ignored | Mail Innovations only |
| ShipmentResponse.ShipmentResults.BillingWeight.* | quantity | ignored | the weight UPS bills, priced in the total |
| ShipmentResponse.ShipmentResults.BillableWeightCalculationMethod | status | ignored | how the billing weight was found |
| ShipmentResponse.ShipmentResults.RatingMethod | status | ignored | priced in the total |
| ShipmentResponse.ShipmentResults.RoarRatedIndicator | flag | ignored | UPS Ready rating, priced in the total |
| ShipmentResponse.ShipmentResults.Disclaimer[].* | status | ignored | UPS's standard wording about taxes and duties |
| ShipmentResponse.ShipmentResults.Form.* | id | ignored | the commercial invoice UPS made; Odoo prints its own |
| ShipmentResponse.ShipmentResults.CODTurnInPage.* | id | ignored | cash on delivery with UPS: never asked for |
| ShipmentResponse.ShipmentResults.HighValueReport.* | id | ignored | the high value report image, not kept |
| ShipmentResponse.ShipmentResults.ControlLogReceipt[].* | id | ignored | not kept |
| ShipmentResponse.ShipmentResults.DGPaperImage[] | id | ignored | dangerous goods papers: hazmat marks are printed by us |
| ShipmentResponse.ShipmentResults.PalletLabel.* | id | ignored | freight only |
| ShipmentResponse.ShipmentResults.BarCodeImage | id | ignored | the shipment's barcode image, not kept |
| ShipmentResponse.ShipmentResults.LabelURL | id | ignored | a page of the label; the label image is kept |
| ShipmentResponse.ShipmentResults.LocalLanguageLabelURL | id | ignored | as LabelURL |
| ShipmentResponse.ShipmentResults.ReceiptURL | id | ignored | a receipt page, not kept |
| ShipmentResponse.ShipmentResults.LocalLanguageReceiptURL | id | ignored | as ReceiptURL |
| ShipmentResponse.ShipmentResults.MIDualReturnShipmentKey | id | ignored | Mail Innovations returns only |
| ShipmentResponse.ShipmentResults.BillOfLading | id | ignored | freight only |
| ShipmentResponse.ShipmentResults.SubProNumber | id | ignored | freight only |
| ShipmentResponse.ShipmentResults.GCCN | id | ignored | Global Checkout only |
| ShipmentResponse.ShipmentResults.USI | id | ignored | Global Checkout only |
| ShipmentResponse.ShipmentResults.MasterCartonID | id | ignored | master cartons: never asked for |
| ShipmentResponse.ShipmentResults.Message | id | ignored | free text from UPS about the shipment, not kept |
| ShipmentResponse.Response.ResponseStatus.* | status | ignored | 1 Success on HTTP 200; errors come as HTTP 4xx with response.errors |
| ShipmentResponse.Response.Alert[].* | status | ignored | notices about the request, not errors |
| ShipmentResponse.Response.TransactionReference.* | id | ignored | our own reference, echoed |

UPS Void API (``DELETE /api/shipments/{version}/void/cancel/{id}``: ``VoidShipmentResponse``)

| field | kind | disposition | note |
|---|---|---|---|
| VoidShipmentResponse.SummaryResult.Status.Code | status | mapped | VoidResult status: 1 voided, anything else rejected |
| VoidShipmentResponse.SummaryResult.Status.Description | status | mapped | VoidResult message |
| VoidShipmentResponse.PackageLevelResult[].* | status | ignored | per package; we void whole shipments, whose summary is read |
| VoidShipmentResponse.PackageLevelResults[].* | status | ignored | the same, as Shipping.yaml names it |
| VoidShipmentResponse.Response.ResponseStatus.* | status | ignored | 1 Success on HTTP 200; errors come as HTTP 4xx with response.errors |
| VoidShipmentResponse.Response.Alert* | status | ignored | notices about the request, not errors |
| VoidShipmentResponse.Response.TransactionReference.* | id | ignored | our own reference, echoed |

UPS Label Recovery API (``POST /api/labels/{version}/recovery``: ``LabelRecoveryResponse``)

| field | kind | disposition | note |
|---|---|---|---|
| LabelRecoveryResponse.LabelResults[].TrackingNumber | id | refused | "the label answer is about package X, not Y" when no result is the package asked for |
| LabelRecoveryResponse.LabelResults[].LabelImage.GraphicImage | id | mapped | the recovered label file (base64) |
| LabelRecoveryResponse.LabelResults[].LabelImage.LabelImageFormat.Code | status | mapped | the label file's format |
| LabelRecoveryResponse.LabelResults[].LabelImage.* | id | ignored | the HTML page, PDF417, URL and signature image around the label |
| LabelRecoveryResponse.LabelResults[].Receipt.* | id | ignored | a receipt, not kept |
| LabelRecoveryResponse.LabelResults[].Form.* | id | ignored | forms; customs papers are printed by Odoo |
| LabelRecoveryResponse.LabelResults[].MailInnovations* | id | ignored | Mail Innovations only |
| LabelRecoveryResponse.ShipmentIdentificationNumber | id | ignored | the shipment is known: it was looked up by its reference |
| LabelRecoveryResponse.TrackingCandidate[].* | id | ignored | candidates of a reference search; we ask by tracking number |
| LabelRecoveryResponse.Form.* | id | ignored | forms; customs papers are printed by Odoo |
| LabelRecoveryResponse.CODTurnInPage.* | id | ignored | cash on delivery with UPS: never asked for |
| LabelRecoveryResponse.HighValueReport.* | id | ignored | not kept |
| LabelRecoveryResponse.Response.ResponseStatus.* | status | ignored | 1 Success on HTTP 200; errors come as HTTP 4xx with response.errors |
| LabelRecoveryResponse.Response.Alert[].* | status | ignored | notices about the request, not errors |
| LabelRecoveryResponse.Response.TransactionReference.* | id | ignored | our own reference, echoed |

Swiss Post barcode v2.4 GenerateLabel (``GenerateLabelResponse``, paths below it)

Swiss Post bills what it scans, not per label: the answer has no money field.

| field | kind | disposition | note |
|---|---|---|---|
| Envelope.Data.Provider.Sending.Item[].ItemID | id | refused | "the label answer is about item X, not Y" when not the item we sent |
| Envelope.Data.Provider.Sending.Item[].IdentCode | id | mapped | Purchase tracking_number and shipment_id; refused ("no ident code or label") when missing |
| Envelope.Data.Provider.Sending.Item[].Label | id | mapped | the label file (base64) in the format asked for |
| Envelope.Data.Provider.Sending.Item[].Errors.Error[].Code | status | refused | a carrier validation error with this code |
| Envelope.Data.Provider.Sending.Item[].Errors.Error[].Message | status | refused | in the error's message |
| Envelope.Data.Provider.Sending.Item[].Warnings.Warning[].Code | status | ignored | logged (W0028 no weight...); the label is good |
| Envelope.Data.Provider.Sending.Item[].Warnings.Warning[].Message | status | ignored | logged with its code |
| Envelope.Data.Provider.Sending.SendingID | id | ignored | our own sending id, echoed (we send none) |
| Envelope.LabelDefinition.ColorPrintRequired | flag | ignored | the label needs a colour printer; thermal labels are black and white |
| Envelope.LabelDefinition.* | status | ignored | the label definition we sent, echoed |

FedEx OAuth (``POST /oauth/token``)

| field | kind | disposition | note |
|---|---|---|---|
| access_token | id | mapped | the bearer token of the calls; refused ("no access token in the answer") when missing |
| expires_in | quantity | mapped | seconds the token is kept (less a minute); renewed on a 401 too |
| token_type | status | ignored | always bearer |
| scope | status | ignored | the API scope FedEx grants the project |

FedEx Rate API (``POST /rate/v1/rates/quotes``: ``output``)

Each ``rateReplyDetails[]`` is a quote; of its ``ratedShipmentDetails[]`` the
ACCOUNT one (the account's rate) is read, else the LIST one, never a
PREFERRED_* conversion when another is there.

| field | kind | disposition | note |
|---|---|---|---|
| output.rateReplyDetails[].serviceType | status | mapped | Rate service (the service bought) |
| output.rateReplyDetails[].serviceName | status | mapped | Rate service_name |
| output.rateReplyDetails[].ratedShipmentDetails[].rateType | status | mapped | which detail is the quote: ACCOUNT, else LIST, else the first not PREFERRED_* |
| output.rateReplyDetails[].ratedShipmentDetails[].totalNetFedExCharge | money | mapped | Rate amount: what FedEx charges, net of the taxes it adds; a quote without an amount is left out |
| output.rateReplyDetails[].ratedShipmentDetails[].totalNetCharge | money | mapped | Rate amount when totalNetFedExCharge is not an amount |
| output.rateReplyDetails[].ratedShipmentDetails[].currency | money | mapped | Rate currency (converted for the company and the order) |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.currency | money | mapped | Rate currency when the detail has none |
| output.rateReplyDetails[].ratedShipmentDetails[].totalNetChargeWithDutiesAndTaxes | money | ignored | duties and taxes are the receiver's or recoverable: not the label's cost |
| output.rateReplyDetails[].ratedShipmentDetails[].totalDutiesTaxesAndFees | money | ignored | as above |
| output.rateReplyDetails[].ratedShipmentDetails[].totalAncillaryFeesAndTaxes | money | ignored | as above |
| output.rateReplyDetails[].ratedShipmentDetails[].ancillaryFeesAndTaxes[].amount | money | ignored | as above |
| output.rateReplyDetails[].ratedShipmentDetails[].ancillaryFeesAndTaxes[].* | status | ignored | type and description of those fees and taxes |
| output.rateReplyDetails[].ratedShipmentDetails[].totalBaseCharge | money | ignored | a part of the net charge, which is read |
| output.rateReplyDetails[].ratedShipmentDetails[].totalDiscounts | money | ignored | already taken off the net charge |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.totalSurcharges | money | ignored | part of the net charge |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.surCharges[].amount | money | ignored | part of the net charge; not itemized on quotes |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.taxes[].amount | money | ignored | the taxes left out of the amount |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.currencyExchangeRate.* | money | ignored | FedEx's own conversion; Odoo converts with its rates |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.surCharges[].* | status | ignored | type, level and description of the surcharges |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.taxes[].* | status | ignored | type and description of the taxes |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.total*Weight.* | quantity | ignored | billing, dimensional and rate scale weights |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.rateZone | status | ignored | pricing detail, already priced |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.rateScale | status | ignored | pricing detail, already priced |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.dimDivisor* | quantity | ignored | pricing detail, already priced |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.fuelSurchargePercent | quantity | ignored | part of the net charge |
| output.rateReplyDetails[].ratedShipmentDetails[].shipmentRateDetail.pricingCode | status | ignored | pricing detail, already priced |
| output.rateReplyDetails[].ratedShipmentDetails[].ratedPackages[].* | money | ignored | the package's share of the shipment's charge, which is read |
| output.rateReplyDetails[].ratedShipmentDetails[].ratedWeightMethod | status | ignored | how FedEx weighed it |
| output.rateReplyDetails[].commit.transitDays.minimumTransitTime | quantity | mapped | Rate delivery_days (ONE_DAY... TWENTY_DAYS) |
| output.rateReplyDetails[].operationalDetail.transitTime | quantity | mapped | Rate delivery_days when commit has none |
| output.rateReplyDetails[].commit.dateDetail.dayFormat | status | mapped | Rate delivery_date |
| output.rateReplyDetails[].operationalDetail.deliveryDate | status | mapped | Rate delivery_date when commit has none |
| output.rateReplyDetails[].commit.* | status | ignored | commit messages and derived locations |
| output.rateReplyDetails[].operationalDetail.ineligibleForMoneyBackGuarantee | flag | ignored | Rate guaranteed is not claimed for FedEx |
| output.rateReplyDetails[].operationalDetail.* | status | ignored | station, airport, service area codes |
| output.rateReplyDetails[].serviceDescription.* | status | ignored | names and codes of the service type read above |
| output.rateReplyDetails[].customerMessages[].* | status | ignored | notes about the quote |
| output.rateReplyDetails[].packagingType | status | ignored | sent by us (YOUR_PACKAGING) |
| output.rateReplyDetails[].signatureOptionType | status | ignored | the service's default signature |
| output.rateReplyDetails[].deliveryStation | id | ignored | station code |
| output.alerts[].* | status | ignored | notes about the request, not errors |
| output.quoteDate | status | ignored | the day of the quote |
| output.encoded | flag | ignored | whether texts are encoded |
| transactionId | id | ignored | FedEx's id of the call (our x-customer-transaction-id is logged) |
| customerTransactionId | id | ignored | our own id, echoed |

FedEx Ship API (``POST /ship/v1/shipments``: ``output``)

| field | kind | disposition | note |
|---|---|---|---|
| output.transactionShipments[].masterTrackingNumber | id | mapped | Purchase shipment_id (what cancel takes; oms.carrier.shipment reference) |
| output.transactionShipments[].pieceResponses[].trackingNumber | id | mapped | PackageLabel tracking_number; refused ("without its tracking number or label") when missing |
| output.transactionShipments[].pieceResponses[].packageDocuments[].encodedLabel | id | mapped | the label file (base64) |
| output.transactionShipments[].pieceResponses[].packageDocuments[].docType | status | mapped | the label file's format (ZPLII is ZPL) |
| output.transactionShipments[].pieceResponses[].packageDocuments[].contentType | status | mapped | LABEL documents only are labels |
| output.transactionShipments[].pieceResponses[].packageDocuments[].url | id | ignored | asked for LABEL, not URL_ONLY |
| output.transactionShipments[].pieceResponses[].packageDocuments[].* | status | ignored | copies, content key, alerts |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.actualRateType | status | mapped | which shipmentRateDetails[] is the cost (else ACCOUNT, else LIST) |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].rateType | status | mapped | with actualRateType |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalNetFedExCharge | money | mapped | Purchase amount (label cost, delivery carrier price), net of taxes; none: the label is kept without a cost (logged) |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalNetCharge | money | mapped | Purchase amount when totalNetFedExCharge is not an amount |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].currency | money | mapped | Purchase currency |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalNetChargeWithDutiesAndTaxes | money | ignored | duties and taxes are not the label's cost |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalDutiesTaxesAndFees | money | ignored | as above |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalDutiesAndTaxes | money | ignored | as above |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalAncillaryFeesAndTaxes | money | ignored | as above |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalTaxes | money | ignored | as above |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].taxes[].amount | money | ignored | as above |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalBaseCharge | money | ignored | part of the net charge |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalNetFreight | money | ignored | part of the net charge |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalSurcharges | money | ignored | part of the net charge; not itemized as fees (UPS's are) |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].surcharges[].amount | money | ignored | as above |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalFreightDiscounts | money | ignored | already taken off |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].freightDiscounts[].amount | money | ignored | already taken off |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].totalRebates | money | ignored | already taken off |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].shipmentLegRateDetails[].* | money | ignored | the legs of the shipment's charge, which is read whole |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].currencyExchangeRate.* | money | ignored | FedEx's conversion; Odoo converts with its rates |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].freightDiscounts[].* | status | ignored | type, description and percent of the discounts |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].surcharges[].* | status | ignored | type, level and description of the surcharges |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].taxes[].* | status | ignored | type, level and description of the taxes |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].total*Weight.* | quantity | ignored | billing and dimensional weights |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].rateZone | status | ignored | pricing detail, already priced |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].rateScale | status | ignored | pricing detail, already priced |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].ratedWeightMethod | status | ignored | how FedEx weighed it |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].pricingCode | status | ignored | pricing detail, already priced |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].dimDivisor* | quantity | ignored | pricing detail, already priced |
| output.transactionShipments[].completedShipmentDetail.shipmentRating.shipmentRateDetails[].fuelSurchargePercent | quantity | ignored | part of the net charge |
| output.transactionShipments[].completedShipmentDetail.completedPackageDetails[].packageRating.* | money | ignored | the package's share of the shipment's charge, which is read |
| output.transactionShipments[].completedShipmentDetail.completedPackageDetails[].hazardousPackageDetail.* | status | ignored | dangerous goods are checked before buying (hazmat rules); not sent to FedEx yet |
| output.transactionShipments[].completedShipmentDetail.completedPackageDetails[].trackingIds[].* | id | ignored | the package's tracking ids, read from pieceResponses |
| output.transactionShipments[].completedShipmentDetail.completedPackageDetails[].operationalDetail.* | id | ignored | barcodes and handling instructions printed on the label |
| output.transactionShipments[].completedShipmentDetail.completedPackageDetails[].dryIceWeight.* | quantity | ignored | dry ice: never sent |
| output.transactionShipments[].completedShipmentDetail.completedPackageDetails[].sequenceNumber | id | ignored | the package's place in the shipment |
| output.transactionShipments[].completedShipmentDetail.completedPackageDetails[].groupNumber | id | ignored | package groups: not used |
| output.transactionShipments[].completedShipmentDetail.completedPackageDetails[].signatureOption | status | ignored | the service's default signature |
| output.transactionShipments[].completedShipmentDetail.completedPackageDetails[].oversizeClass | status | ignored | priced in the charge |
| output.transactionShipments[].completedShipmentDetail.masterTrackingId.* | id | ignored | the master tracking number, read from masterTrackingNumber |
| output.transactionShipments[].completedShipmentDetail.hazardousShipmentDetail.* | status | ignored | dangerous goods and dry ice of the shipment: checked before buying, not sent to FedEx yet |
| output.transactionShipments[].completedShipmentDetail.serviceDescription.* | status | ignored | names and codes of the service we asked for |
| output.transactionShipments[].completedShipmentDetail.operationalDetail.* | status | ignored | station, airport, routing and commit codes |
| output.transactionShipments[].completedShipmentDetail.documentRequirements.* | status | ignored | customs papers are printed by Odoo |
| output.transactionShipments[].completedShipmentDetail.completedEtdDetail.* | id | ignored | electronic trade documents: not sent |
| output.transactionShipments[].completedShipmentDetail.completedHoldAtLocationDetail.* | id | ignored | hold at location: never asked for |
| output.transactionShipments[].completedShipmentDetail.accessDetail.* | id | ignored | access to email labels: not used |
| output.transactionShipments[].completedShipmentDetail.carrierCode | status | ignored | FedEx Express or Ground: the service says it |
| output.transactionShipments[].completedShipmentDetail.packagingDescription | status | ignored | sent by us (YOUR_PACKAGING) |
| output.transactionShipments[].completedShipmentDetail.exportComplianceStatement | id | ignored | export filing reference (customs papers are Odoo's) |
| output.transactionShipments[].completedShipmentDetail.usDomestic | flag | ignored | whether the shipment stays in the US |
| output.transactionShipments[].pieceResponses[].netChargeAmount | money | ignored | the package's share of the shipment's charge, which is read |
| output.transactionShipments[].pieceResponses[].baseRateAmount | money | ignored | as above |
| output.transactionShipments[].pieceResponses[].netListRateAmount | money | ignored | as above |
| output.transactionShipments[].pieceResponses[].netDiscountAmount | money | ignored | as above |
| output.transactionShipments[].pieceResponses[].additionalChargesDiscount | money | ignored | as above |
| output.transactionShipments[].pieceResponses[].listCustomerTotalCharge | money | ignored | as above |
| output.transactionShipments[].pieceResponses[].codcollectionAmount | money | ignored | cash on delivery: never asked for |
| output.transactionShipments[].pieceResponses[].customerReferences[].* | id | ignored | our own reference, sent by us |
| output.transactionShipments[].pieceResponses[].masterTrackingNumber | id | ignored | read from the shipment |
| output.transactionShipments[].pieceResponses[].packageSequenceNumber | id | ignored | the package's place in the shipment |
| output.transactionShipments[].pieceResponses[].acceptance* | id | ignored | the acceptance scan's number and type |
| output.transactionShipments[].pieceResponses[].trackingIdType | status | ignored | Express or Ground number |
| output.transactionShipments[].pieceResponses[].serviceCategory | status | ignored | Express or Ground |
| output.transactionShipments[].pieceResponses[].deliveryTimestamp | status | ignored | the promised day; tracking gives the estimate |
| output.transactionShipments[].pieceResponses[].successful | flag | ignored | a failed piece is an error answer |
| output.transactionShipments[].pieceResponses[].transactionDetails[].* | id | ignored | FedEx's ids of the piece |
| output.transactionShipments[].shipmentDocuments[].* | id | ignored | shipment documents (customs) are printed by Odoo |
| output.transactionShipments[].shipmentAdvisoryDetails.* | status | ignored | regulatory advisories about commodities |
| output.transactionShipments[].alerts[].* | status | ignored | notes, not errors (errors come as HTTP 4xx) |
| output.transactionShipments[].serviceType | status | ignored | the service we asked for |
| output.transactionShipments[].serviceName | status | ignored | the service we asked for, by name |
| output.transactionShipments[].serviceCategory | status | ignored | Express or Ground |
| output.transactionShipments[].shipDatestamp | status | ignored | the ship day FedEx took |
| output.alerts[].* | status | ignored | notes, not errors |
| output.jobId | id | ignored | asynchronous shipments only (not used) |
| transactionId | id | ignored | FedEx's id of the call |
| customerTransactionId | id | ignored | our own id, echoed |

FedEx Cancel API (``PUT /ship/v1/shipments/cancel``: ``output``)

| field | kind | disposition | note |
|---|---|---|---|
| output.cancelledShipment | flag | mapped | VoidResult status voided (else rejected) |
| output.message | status | mapped | VoidResult message (the published schema's name) |
| output.successMessage | status | mapped | VoidResult message (the name in FedEx's documented example) |
| output.cancelledHistory | flag | ignored | whether FedEx's history of it is cancelled too |
| output.alerts[].message | status | mapped | VoidResult message when there is no successMessage |
| output.alerts[].* | status | ignored | code and type of the notes |
| transactionId | id | ignored | FedEx's id of the call |
| customerTransactionId | id | ignored | our own id, echoed |

FedEx Track API (``POST /track/v1/trackingnumbers`` and ``/referencenumbers``: ``output``)

| field | kind | disposition | note |
|---|---|---|---|
| output.completeTrackResults[].trackingNumber | id | refused | "the tracking answer is about X, not Y" when not the number asked for |
| output.completeTrackResults[].trackResults[].trackingNumberInfo.trackingNumber | id | refused | "the tracking answer is about package X, not Y" when not the number asked for; else Tracking tracking_number (reference lookup: the shipments found) |
| output.completeTrackResults[].trackResults[].trackingNumberInfo.* | id | ignored | carrier code and FedEx's unique id (a number given out twice: the latest result is read) |
| output.completeTrackResults[].trackResults[].error.code | status | mapped | TRACKING.TRACKINGNUMBER.NOTFOUND is "no news yet" (no error; flagged after the first scan window); another is a carrier error naming it |
| output.completeTrackResults[].trackResults[].error.message | status | mapped | in the carrier status or the error |
| output.completeTrackResults[].trackResults[].error.* | status | ignored | parameters of the error |
| output.completeTrackResults[].trackResults[].latestStatusDetail.code | status | mapped | Tracking status: the code when it says out for delivery, delivered, an exception or returned |
| output.completeTrackResults[].trackResults[].latestStatusDetail.derivedCode | status | mapped | Tracking status otherwise (documented codes, normalised; CA cancelled is left out of a reference lookup) |
| output.completeTrackResults[].trackResults[].latestStatusDetail.description | status | mapped | Tracking carrier_status |
| output.completeTrackResults[].trackResults[].latestStatusDetail.statusByLocale | status | mapped | Tracking carrier_status without a description |
| output.completeTrackResults[].trackResults[].latestStatusDetail.* | status | ignored | location, delay and ancillary details of the latest scan, which is read as an event |
| output.completeTrackResults[].trackResults[].scanEvents[].date | status | mapped | TrackingEvent occurred_at in UTC (its offset applied; none: as given, stored as UTC); dropped, logged, when not ISO 8601 |
| output.completeTrackResults[].trackResults[].scanEvents[].eventType | status | mapped | TrackingEvent carrier_status; its status when it says out for delivery, delivered, an exception or returned |
| output.completeTrackResults[].trackResults[].scanEvents[].derivedStatusCode | status | mapped | TrackingEvent status otherwise |
| output.completeTrackResults[].trackResults[].scanEvents[].eventDescription | status | mapped | TrackingEvent description |
| output.completeTrackResults[].trackResults[].scanEvents[].exceptionDescription | status | mapped | appended to the description |
| output.completeTrackResults[].trackResults[].scanEvents[].scanLocation.city | status | mapped | TrackingEvent city |
| output.completeTrackResults[].trackResults[].scanEvents[].scanLocation.countryCode | status | mapped | TrackingEvent country |
| output.completeTrackResults[].trackResults[].scanEvents[].* | status | ignored | derived status text, exception code, location ids and address, delay |
| output.completeTrackResults[].trackResults[].dateAndTimes[].dateTime | status | mapped | Tracking estimated_delivery (ESTIMATED_DELIVERY or ACTUAL_DELIVERY); all: which result of a reused number is the latest |
| output.completeTrackResults[].trackResults[].dateAndTimes[].type | status | mapped | as above |
| output.completeTrackResults[].trackResults[].estimatedDeliveryTimeWindow.window.ends | status | mapped | Tracking estimated_delivery without a dated one |
| output.completeTrackResults[].trackResults[].estimatedDeliveryTimeWindow.window.begins | status | mapped | as above, without an end |
| output.completeTrackResults[].trackResults[].estimatedDeliveryTimeWindow.* | status | ignored | description and type of the window |
| output.completeTrackResults[].trackResults[].standardTransitTimeWindow.* | status | ignored | the service's usual window |
| output.completeTrackResults[].trackResults[].packageDetails.declaredValue.* | money | ignored | the value declared, not a cost |
| output.completeTrackResults[].trackResults[].packageDetails.* | quantity | ignored | the carrier's weighing and counts, billed on FedEx's invoice |
| output.completeTrackResults[].trackResults[].shipmentDetails.* | quantity | ignored | weights, contents, split shipments |
| output.completeTrackResults[].trackResults[].pieceCounts[].* | quantity | ignored | pieces at origin and destination |
| output.completeTrackResults[].trackResults[].specialHandlings[].* | status | ignored | handling and payment types of the services bought |
| output.completeTrackResults[].trackResults[].serviceDetail.* | status | ignored | the service bought is on the delivery |
| output.completeTrackResults[].trackResults[].distanceToDestination.* | quantity | ignored | not kept |
| output.completeTrackResults[].trackResults[].returnDetail.* | status | ignored | the reasons of a return; the status says returned |
| output.completeTrackResults[].trackResults[].reasonDetail.* | status | ignored | as above |
| output.completeTrackResults[].trackResults[].consolidationDetail[].* | status | ignored | consolidations: not used |
| output.completeTrackResults[].trackResults[].additionalTrackingInfo.* | id | ignored | nickname, notes, package identifiers (our reference) |
| output.completeTrackResults[].trackResults[].availableImages[].* | status | ignored | proof of delivery is not kept |
| output.completeTrackResults[].trackResults[].availableNotifications[] | status | ignored | notifications FedEx offers |
| output.completeTrackResults[].trackResults[].deliveryDetails.* | status | ignored | who received it, where, attempts: not kept |
| output.completeTrackResults[].trackResults[].informationNotes[].* | status | ignored | notes |
| output.completeTrackResults[].trackResults[].customDeliveryOptions[].* | status | ignored | delivery appointments the receiver asked for |
| output.completeTrackResults[].trackResults[].serviceCommitMessage.* | status | ignored | the service's promise, as text |
| output.completeTrackResults[].trackResults[].*Location.* | id | ignored | origin, destination and hold locations |
| output.completeTrackResults[].trackResults[].*Information.* | id | ignored | the shipper's and recipient's addresses, echoed |
| output.completeTrackResults[].trackResults[].lastUpdatedDestinationAddress.* | id | ignored | the address as FedEx last updated it |
| output.completeTrackResults[].trackResults[].meterNumber | id | ignored | the meter of the account |
| output.completeTrackResults[].trackResults[].goodsClassificationCode | status | ignored | customs classification |
| output.alerts* | status | ignored | notes, not errors |
| transactionId | id | ignored | FedEx's id of the call |
| customerTransactionId | id | ignored | our own id, echoed |

FedEx errors (any API: ``errors[]``, HTTP 4xx / 5xx)

| field | kind | disposition | note |
|---|---|---|---|
| errors[].code | status | refused | the carrier error's code (typed by HTTP status: auth, validation, not found...) |
| errors[].message | status | refused | the carrier error's message, shown to the user |
| errors[].parameterList[].* | status | ignored | the fields the error names, in its message |
| transactionId | id | ignored | FedEx's id of the call |
| customerTransactionId | id | ignored | our own id, echoed (the error's request id) |
"""

import re
from functools import cache

try:
    from ...oms_core.http_core import field_map as _map
except ImportError:  # imported on its own by the unit tests (addons/ on sys.path)
    from oms_core.http_core import field_map as _map

DISPOSITIONS = _map.DISPOSITIONS
leaves = _map.leaves
_HEADING = re.compile(
    r"^(EasyPost Shipment|EasyPost Tracker|EasyPost Event|UPS Track API v1|UPS errors"
    r"|UPS Rating API|UPS Shipping API|UPS Void API|UPS Label Recovery API"
    r"|Swiss Post barcode v2\.4 GenerateLabel|FedEx OAuth|FedEx Rate API|FedEx Ship API"
    r"|FedEx Cancel API|FedEx Track API|FedEx errors)\b"
)


def tables():
    """``{object: [(pattern, kind, disposition, note), ...]}`` read from the docstring."""
    return _map.tables(__doc__, _HEADING)


def _bare(obj, path):
    """UPS answers a list of one as a bare object: its paths match without ``[]``."""
    return path.replace("[]", "") if obj.startswith("UPS") else path


@cache
def _patterns(obj):
    return _map.patterns(tables()[obj], lambda path: _bare(obj, path))


def disposition(obj, path):
    """The first row of ``obj``'s table covering ``path``, or None."""
    row = _map.first_row(_patterns(obj), _bare(obj, path))
    if row is None and obj == "EasyPost Shipment" and path.startswith("selected_rate."):
        return disposition(obj, "rates[]." + path.removeprefix("selected_rate."))
    return row


def unmapped(obj, data):
    """The paths of ``data``'s non-empty fields that ``obj``'s table does not cover."""
    return _map.unmapped(disposition, obj, data)
