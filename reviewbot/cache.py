"""A result cache: a chunk reviewed once is never paid for again.

The key is a hash of everything that decides the answer: the chunk as the model sees it, the
prompt templates' version, the model and API, and the settings that reach the prompt or the
sampling. Not in the key: the chunk's position ("part 3 of 7") and the run's random delimiter,
so an incremental push leaves the other chunks' entries valid. Entries are JSON files under
`cache_dir` (default `.reviewbot-cache/`); a damaged entry is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from reviewbot.anchors import Anchor
from reviewbot.config import Config
from reviewbot.findings import Finding
from reviewbot.providers import Endpoint

log = logging.getLogger("reviewbot")
FORMAT = 1


def _finding_to_dict(f: Finding) -> dict[str, Any]:
    data = asdict(f)
    data["anchor"] = asdict(f.anchor) if f.anchor else None
    return data


def _finding_from_dict(data: dict[str, Any]) -> Finding:
    anchor = data.pop("anchor")
    return Finding(**data, anchor=Anchor(**anchor) if anchor else None)


class ResultCache:
    """Construction does no I/O; the folder is created on the first write."""

    def __init__(
        self, folder: str | Path, config: Config, endpoint: Endpoint, prompts_version: str
    ) -> None:
        self.folder = Path(folder)
        level = config.level()
        self._salt = json.dumps(
            {
                "format": FORMAT,
                "prompts": prompts_version,
                "model": endpoint.model,
                "api": endpoint.base_url,
                "level": level.model_dump(mode="json"),
                "language": config.language,
                "instructions": config.instructions,
                "self_check": config.self_check,
                "temperature": config.temperature,
                "top_p": config.top_p,
                "frequency_penalty": config.frequency_penalty,
                "max_output_tokens": config.max_output_tokens,
            },
            sort_keys=True,
        )
        self.hits = 0
        self.writes = 0

    def key(self, chunk_body: str) -> str:
        digest = hashlib.sha256(self._salt.encode())
        digest.update(b"\0" + chunk_body.encode("utf-8", errors="surrogatepass"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data["findings"] = [_finding_from_dict(f) for f in data["findings"]]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as err:
            log.info("cache entry %s unreadable (%s); reviewing again", path.name, err)
            return None
        self.hits += 1
        return data

    def put(self, key: str, entry: dict[str, Any]) -> None:
        data = {**entry, "findings": [_finding_to_dict(f) for f in entry["findings"]]}
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False)
            os.replace(tmp, path)
            self.writes += 1
        except OSError as err:
            log.warning(
                "cannot write the result cache in %s (%s); continuing without it", self.folder, err
            )
