"""The phase schedule (工作进度): deliverables per phase, submissions and their review, self-inspections and
inspections, the leading group, deadline reminders and the progress matrix. Models, services, selectors, views,
forms, rules and tasks of this sub-domain live here; supervision (complaints, warnings, cards, assessments) is the
rest of ``reviews``."""
