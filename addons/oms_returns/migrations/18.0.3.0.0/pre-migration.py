"""Store credit moves to the bridge addon oms_returns_loyalty.

From 18.0.3.0.0 oms_returns no longer depends on sale_loyalty; the eWallet card of
a request (``loyalty_card_id``), ``can_be_credited``, the policy's ``allow_credit``,
the resolution *Store credit* and the state *Credited* are the bridge's.

An update cleans up what a module no longer declares: it deletes the fields (and
drops their columns) and the selection values (resetting the records that hold
them) still recorded as oms_returns'. So, before oms_returns is loaded without
them, they (and the card's foreign key) are recorded as the bridge's, and the
bridge is marked to be installed in the same update, since sale_loyalty is
installed: credited requests keep their card, resolution and state.

Pre-migration: runs before oms_returns' new code is loaded.
"""

import logging

_logger = logging.getLogger(__name__)

BRIDGE = "oms_returns_loyalty"
MOVED_XMLIDS = (
    "field_oms_return__loyalty_card_id",
    "field_oms_return__can_be_credited",
    "field_oms_return_policy__allow_credit",
    "selection__oms_return__resolution__credit",
    "selection__oms_return__state__credited",
)
MOVED_CONSTRAINTS = ("oms_return_loyalty_card_id_fkey",)


def move_to_bridge(cr):
    """Record the store-credit fields, values and constraint as the bridge's;
    returns the XML ids moved."""
    cr.execute(
        """
        UPDATE ir_model_data d
           SET module = %(bridge)s
         WHERE d.module = 'oms_returns'
           AND d.name IN %(names)s
           AND NOT EXISTS (
                SELECT 1 FROM ir_model_data b WHERE b.module = %(bridge)s AND b.name = d.name
           )
        RETURNING d.name
        """,
        {"bridge": BRIDGE, "names": MOVED_XMLIDS},
    )
    moved = [row[0] for row in cr.fetchall()]
    cr.execute(
        """
        UPDATE ir_model_constraint c
           SET module = bridge.id
          FROM ir_module_module bridge, ir_module_module returns
         WHERE bridge.name = %s AND returns.name = 'oms_returns'
           AND c.module = returns.id AND c.name IN %s
        """,
        [BRIDGE, MOVED_CONSTRAINTS],
    )
    return moved


def install_bridge(cr):
    """Mark the bridge to be installed in this update when sale_loyalty is there;
    returns whether it was marked."""
    cr.execute(
        """
        UPDATE ir_module_module
           SET state = 'to install'
         WHERE name = %s AND state = 'uninstalled'
           AND EXISTS (
                SELECT 1 FROM ir_module_module
                 WHERE name = 'sale_loyalty' AND state IN ('installed', 'to upgrade', 'to install')
           )
        RETURNING id
        """,
        [BRIDGE],
    )
    return bool(cr.fetchall())


def migrate(cr, version):
    if not version:
        return
    moved = move_to_bridge(cr)
    marked = install_bridge(cr)
    _logger.info(
        "oms_returns: %s store-credit records now %s's; %s",
        len(moved),
        BRIDGE,
        "it is installed with this update" if marked else "it is not marked to install",
    )
