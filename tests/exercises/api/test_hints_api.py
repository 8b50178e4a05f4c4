"""POST /api/variants/{id}/hints (issue 15): the next hint level of a practice part, recorded on
the variant; owner-only, rate-limited, never homework."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

import graders
from exercises.models import Variant

from tests.exercises.api.test_practice_api import assert_json_error, post
from tests.exercises.homework_support import ZH

pytestmark = pytest.mark.django_db


def new_variant(client: Client) -> dict:
    response = post(client, "/api/practice", {"template": "article-random", "seed": "api-hints"})
    assert response.status_code == 201
    return response.json()


def hints_url(variant: dict) -> str:
    return f"/api/variants/{variant['id']}/hints"


def test_each_call_gives_the_next_level_with_every_level_so_far():
    api = Client()
    variant = new_variant(api)
    levels = [post(api, hints_url(variant), {"part": "dE_dw5"}).json() for _ in range(3)]
    assert [body["level"] for body in levels] == [1, 2, 3]
    last = levels[-1]
    assert [h["level"] for h in last["hints"]] == [1, 2, 3]
    assert [f["key"] for f in last["hints"][0]["factors"]] == ["dE_dout_o1", "dout_dnet_o1", "out_h1"]
    assert last["hints"][1]["mathml"].startswith("<math") and last["hints"][0]["mathml"] == ""
    assert Variant.objects.get(pk=variant["id"]).hints_used == {"dE_dw5": 3}


def test_level_three_puts_in_the_answers_sent_with_the_request():
    api = Client()
    variant = new_variant(api)
    for _ in range(2):
        post(api, hints_url(variant), {"part": "dE_dw5"})
    body = post(api, hints_url(variant), {"part": "dE_dw5", "answers": {"out_h1": "0.61", "dE_dout_o1": 0.125}}).json()
    factors = {f["key"]: (f["value"], f["source"]) for f in body["hints"][2]["factors"]}
    assert factors == {"out_h1": (0.61, "yours"), "dE_dout_o1": (0.125, "yours"), "dout_dnet_o1": (None, "")}
    assert body["hints"][2]["missing"] == ["dout_dnet_o1"]
    spec = graders.generate("article-random", "api-hints")
    assert f"{graders.solve(spec).values['dout_dnet_o1']:.6g}" not in body["hints"][2]["latex"]


def test_the_text_follows_the_request_language():
    api = Client()
    variant = new_variant(api)
    body = post(api, hints_url(variant), {"part": "net_h1"}, **ZH).json()
    assert "取决于" in body["hints"][0]["text"]


def test_only_the_browser_session_that_made_it_may_ask():
    owner = Client()
    owner.get("/practice/")  # a session cookie: the variant belongs to this browser session
    owner.session.save()
    variant = new_variant(owner)
    assert Variant.objects.get(pk=variant["id"]).session_key
    assert_json_error(post(Client(), hints_url(variant), {"part": "net_h1"}), 404)
    assert post(owner, hints_url(variant), {"part": "net_h1"}).status_code == 200


def test_a_variant_made_without_cookies_belongs_to_whoever_holds_its_id():
    variant = new_variant(Client())
    assert post(Client(), hints_url(variant), {"part": "net_h1"}).status_code == 200


def test_a_signed_in_owner_asks_with_the_session_and_another_user_gets_404(user, other_user):
    mine, theirs = Client(), Client()
    mine.force_login(user)
    theirs.force_login(other_user)
    variant = new_variant(mine)
    assert post(mine, hints_url(variant), {"part": "net_h1"}).status_code == 200
    assert_json_error(post(theirs, hints_url(variant), {"part": "net_h1"}), 404)


def test_unknown_parts_and_ids_are_refused():
    api = Client()
    variant = new_variant(api)
    assert_json_error(post(api, hints_url(variant), {"part": "nope"}), 422)
    assert_json_error(post(api, hints_url(variant), {"part": "E_total_new"}), 422)
    assert_json_error(post(api, "/api/variants/not-an-id/hints", {"part": "net_h1"}), 404)
    assert post(api, hints_url(variant), {}).status_code in (400, 422)


def test_the_hint_endpoint_is_rate_limited(settings):
    settings.BPCOURSE_RATE_LIMITS_ENABLED = True
    settings.BPCOURSE_RATE_LIMITS = {**settings.BPCOURSE_RATE_LIMITS, "hint": {"client": (2, 60), "ip": (2, 60)}}
    cache.clear()
    api = Client()
    variant = new_variant(api)
    codes = [post(api, hints_url(variant), {"part": "net_h1"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
