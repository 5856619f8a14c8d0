"""is_local_url: which endpoints are the user's own machine or network."""

from __future__ import annotations

import pytest

from client.pricing import is_local_url


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:11434",
        "http://LOCALHOST:8080/v1/",
        "localhost:8080/v1",
        "http://127.0.0.1:1234/v1",
        "http://127.8.9.10",
        "http://[::1]:8000/v1",
        "http://10.0.0.5:8000",
        "http://172.16.3.4",
        "http://192.168.1.20:8000/v1",
        "http://169.254.10.1",
        "http://[fe80::1]:80",
        "http://[fd00::5]:80",
        "http://[::ffff:127.0.0.1]:80",
        "http://0.0.0.0:8000",
        "http://gpu-box:8000/v1",
        "http://gpu-box.local:11434",
        "http://api.localhost",
        "http://host.docker.internal:1234/v1",
        "http://nas.home.arpa",
        "http://printer.lan",
    ],
)
def test_local(url):
    assert is_local_url(url)


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "   ",
        "https://api.openai.com/v1",
        "https://api.anthropic.com",
        "https://openrouter.ai/api/v1",
        "http://8.8.8.8",
        "http://[2001:4860:4860::8888]",
        "https://localhost.example.com",
        "not a url at all",
        "http://[broken",
    ],
)
def test_not_local(url):
    assert not is_local_url(url)
