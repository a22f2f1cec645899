"""Evidence (证据材料) as files: what a file really is, what its EXIF says, its preview, and
the lead sheets of bulk intake. No database here: the use cases are in engine/services/."""
