"""An upload handler that stops storing an upload once it passes the user's remaining allowance."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class DocumentSizeLimitHandler(FileUploadHandler):
    """First in the chain: counts each file's bytes and skips the file past ``limit``.

    Without it Django would write a file of any size to a temporary file before the view could
    refuse it; with it the rest of an oversized file is read and dropped, never stored.
    """

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
