"""The import/export registry: the kernel's reading of registry files and tables (``values``, ``limits``), the
sections and tables each app registers (``sections``), the importer that writes them (``importer``) and who may
write what it writes (``scope``)."""
