"""The HR pages: heatmaps, participation, trends, drivers, waves and links.

Every figure comes from published cells through analytics.selectors (the same reads as the API),
and every page is scoped by analytics.dashboard.access: an HR admin sees and manages their
organisation, a manager reads their own subtree, nobody sees another organisation.
"""
