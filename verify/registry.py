"""The claim registry: id -> module. Ids are case-insensitive; adding a claim is one line."""

from __future__ import annotations

import importlib

from bnproofs.data import InputError

#: id -> module name under ``verify``, in the order the papers present them
CLAIMS = {
    "L1.1": "l1_1",
    "T2.1": "t2_1",
    "T2.2": "t2_2",
    "L2.1": "l2_1",
    "T2.3": "t2_3",
    "T2.4": "t2_4",
    "T3.1": "t3_1",
    "T4.1": "t4_1",
    "T4.2": "t4_2",
    "TG.1": "tg_1",
    "TG.2": "tg_2",
    "B.1": "b_1",
    "L5.1": "l5_1",
    "T5.1": "t5_1",
    "R5.1": "r5_1",
    "S5.2": "s5_2",
    "C1": "c1",
    "C2": "c2",
    "C3": "c3",
    "C4": "c4",
    "C5": "c5",
    "C6": "c6",
    "C7": "c7",
    "C8": "c8",
}


def ids() -> list[str]:
    return list(CLAIMS)


def canonical(claim_id: str) -> str:
    """The registered spelling of ``claim_id``; :class:`InputError` naming the valid ids."""
    for cid in CLAIMS:
        if cid.lower() == claim_id.strip().lower():
            return cid
    raise InputError(f"unknown claim id {claim_id!r}; valid ids: {' '.join(CLAIMS)}")


def load(claim_id: str):
    return importlib.import_module(f"verify.{CLAIMS[canonical(claim_id)]}")
