"""Minyi's event contracts: the only thing services share about each other.

Compatibility rules:
- An event is a CloudEvents 1.0 envelope (structured JSON) whose ``type`` carries a version
  (``cn.minyi.suggestion.filed.v1``). A published version is never edited: a breaking change
  is a new model with a new ``type`` (``…v2``), published beside the old one until every
  consumer has moved.
- Additive, optional fields may be added to a version; consumers read tolerantly (they
  ignore fields they do not know), so such an addition breaks nobody.
- Events carry a pseudonymous ``citizen_ref``, never a name or a phone number.
"""
