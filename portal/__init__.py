"""The site's top floor: the URL configuration, the frame (navigation, context processors), the role dashboards and
the pages of the frame (login, notifications, the download log). It imports every app; no app imports it. The
ground floor every app uses (audit, notifications, uploads, rate limits, the write helper, kept figures, settings)
is ``lianzheng``."""
