"""Static files as whitenoise compresses and names them, each name's URL found once."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's storage (hashed names from the manifest, compressed copies), with each
    file's URL kept once found: the manifest is read once per process, so the URL cannot
    change in it, and every page's frame asks for nine (12 µs each)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name: str, force: bool = False) -> str:
        if force:
            return super().url(name, force=True)
        if name not in self._urls:
            self._urls[name] = super().url(name)
        return self._urls[name]

    def post_process(self, *args, **kwargs):
        # collectstatic names the files afresh: forget what was found before, and during.
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
