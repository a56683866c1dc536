"""SCORM 1.2 and SCORM 2004 packages as lesson content: upload, play, track, complete."""
