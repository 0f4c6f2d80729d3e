"""The BI and HR-automation API (/api/v1/): published aggregates for `read` keys, tree and waves for `admin` keys."""
