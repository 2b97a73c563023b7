"""Classroom mode: faces found and tracked, head pose, every student analysed, the session, the camera stream
and the class report. Imports ``engage.affect`` and ``engage.model``; draws nothing (figures live in ``ui``)."""
