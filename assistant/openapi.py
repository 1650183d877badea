"""The OpenAPI 3.0 description of the HTTP API, served at /api/openapi.json.

Built from the same limits the handlers enforce, so the document and the
server cannot drift apart: a request the document calls valid is answered,
one it calls invalid is refused with a 4xx JSON error.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .text import INVISIBLE

LANGS = ["en", "de"]
NON_BLANK = r"\S"


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _errors(*statuses: int) -> dict:
    text = {
        400: "The request is malformed; the error code says how.",
        404: "Nothing at this address.",
        405: "Method not allowed here.",
        413: "The body, the question or the history is too large.",
        414: "The query string is too long; send long questions by POST.",
        415: "The body is not JSON.",
        429: "Too many requests from this client; see Retry-After.",
        500: "An error on the server's side; the message carries no detail.",
    }
    out = {str(s): _error_response(text[s]) for s in statuses}
    if 429 in statuses:
        out["429"]["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before asking again.",
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    return out


def openapi_document(
    *,
    max_question: int,
    max_history: int,
    max_body: int,
    site_url: str = "",
    title: str = "Institute assistant",
    version: str = "1",
) -> dict[str, Any]:
    """The API description for the limits in force; feedback URLs must lie on ``site_url``'s origin."""
    parts = urlsplit(site_url)
    origin = re.escape(f"{parts.scheme}://{parts.netloc}") if parts.scheme and parts.netloc else "https?://[^/@\\s]+"
    site_pages = f"^{origin}(/[^\\s{INVISIBLE.pattern[1:-1]}]*)?$"  # no space, control or invisible character
    question = {
        "type": "string",
        "minLength": 1,
        "maxLength": max_question,
        "pattern": NON_BLANK,
        "description": "The visitor's question, in English or German.",
    }
    history = {
        "type": "array",
        "maxItems": max_history,
        "items": {"type": "string", "maxLength": max_question},
        "description": "Earlier questions of the conversation, oldest first, for follow-ups.",
    }
    lang = {"type": "string", "enum": LANGS, "description": "The question's language; detected when left out."}
    ask_errors = _errors(400, 413, 414, 429, 500)
    answer = {
        "200": {
            "description": "Quoted passages from the site, or an abstention.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}},
        }
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": title,
            "version": version,
            "description": "Answers questions about a website with passages quoted word for word from it, "
            "each linked to where it stands; abstains when the site does not say.",
        },
        "paths": {
            "/api/ask": {
                "get": {
                    "operationId": "askGet",
                    "summary": "Answer a question given in the query string.",
                    "parameters": [
                        {"name": "q", "in": "query", "required": True, "schema": question},
                        {
                            "name": "history",
                            "in": "query",
                            "required": False,
                            "style": "form",
                            "explode": True,
                            "schema": history,
                        },
                        {"name": "lang", "in": "query", "required": False, "schema": lang},
                    ],
                    "responses": answer | ask_errors,
                },
                "post": {
                    "operationId": "askPost",
                    "summary": "Answer a question sent as JSON.",
                    "requestBody": {
                        "required": True,
                        "description": f"At most {max_body} bytes.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["question"],
                                    "properties": {
                                        "question": question,
                                        "history": {**history, "nullable": True},
                                        "lang": {**lang, "enum": [*LANGS, None], "nullable": True},
                                    },
                                }
                            }
                        },
                    },
                    "responses": answer | _errors(400, 413, 415, 429, 500),
                },
            },
            "/api/health": {
                "get": {
                    "operationId": "health",
                    "summary": "What the opened index holds and when it was built.",
                    "responses": {
                        "200": {
                            "description": "The index statistics.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
                        },
                        **_errors(500),
                    },
                },
            },
            "/api/feedback": {
                "post": {
                    "operationId": "feedback",
                    "summary": "Record whether an answer helped; nothing about the visitor is stored.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["question", "helpful"],
                                    "properties": {
                                        "question": {
                                            "type": "string",
                                            "minLength": 1,
                                            "maxLength": max_question,
                                            "pattern": NON_BLANK,
                                        },
                                        "helpful": {"type": "boolean"},
                                        "urls": {
                                            "type": "array",
                                            "maxItems": 10,
                                            "items": {"type": "string", "maxLength": 2000, "pattern": site_pages},
                                        },
                                        "lang": {
                                            "type": "string",
                                            "maxLength": 10,
                                            "pattern": "^[A-Za-z-]*$",
                                            "nullable": True,
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {"204": {"description": "Recorded."}, **_errors(400, 413, 415, 429, 500)},
                },
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                },
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string", "description": "Stable, for programs."},
                                "message": {"type": "string", "description": "For people."},
                            },
                        }
                    },
                },
                "Passage": {
                    "type": "object",
                    "required": ["quote", "highlights", "title", "url", "path", "score", "kind"],
                    "properties": {
                        "quote": {"type": "string", "description": "Verbatim text from the page."},
                        "highlights": {
                            "type": "array",
                            "items": {
                                "type": "array",
                                "items": {"type": "integer", "minimum": 0},
                                "minItems": 2,
                                "maxItems": 2,
                            },
                        },
                        "title": {"type": "string"},
                        "heading": {"type": "string", "nullable": True},
                        "url": {"type": "string", "description": "Where the quote stands, with a text fragment."},
                        "path": {"type": "string", "description": "Source file, relative to the site's root."},
                        "line": {"type": "integer", "nullable": True},
                        "score": {"type": "number"},
                        "kind": {"type": "string"},
                        "lang": {"type": "string", "description": "The language the quote is written in."},
                        "translations": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                            "description": "The quoted page in other languages: language code -> URL.",
                        },
                    },
                },
                "Best": {
                    "type": "object",
                    "required": ["passage", "sentence"],
                    "description": "Which passage answers the question, and which sentence of its quote does.",
                    "properties": {
                        "passage": {"type": "integer", "minimum": 0, "description": "Index into passages."},
                        "sentence": {
                            "type": "array",
                            "items": {"type": "integer", "minimum": 0},
                            "minItems": 2,
                            "maxItems": 2,
                            "description": "[start, end) offsets of the answering sentence in that passage's quote; "
                            "the whole quote for a list.",
                        },
                    },
                },
                "Answer": {
                    "type": "object",
                    "required": ["question", "lang", "abstained", "answer", "best", "did_you_mean", "passages"],
                    "properties": {
                        "question": {"type": "string"},
                        "lang": {"type": "string", "enum": LANGS},
                        "abstained": {"type": "boolean"},
                        "answer": {"type": "string", "description": "A short lead-in, or why there is no answer."},
                        "best": {
                            "allOf": [{"$ref": "#/components/schemas/Best"}],
                            "nullable": True,
                            "description": "The passage and sentence that answer; null when abstained.",
                        },
                        "did_you_mean": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "With an abstention: questions made of the site's headings near the words "
                            "asked, each of which the site answers.",
                        },
                        "passages": {"type": "array", "items": {"$ref": "#/components/schemas/Passage"}},
                    },
                },
                "Health": {
                    "type": "object",
                    "required": ["status", "pages", "passages", "built_at", "content_hash"],
                    "properties": {
                        "status": {"type": "string", "enum": ["ok"]},
                        "pages": {"type": "integer", "minimum": 0},
                        "passages": {"type": "integer", "minimum": 0},
                        "built_at": {"type": "string"},
                        "content_hash": {"type": "string"},
                        "site_name": {"type": "string", "nullable": True},
                        "site_url": {"type": "string"},
                        "contact_url": {"type": "string", "nullable": True},
                        "contacts": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                            "description": "Where a visitor can ask a person, per language: an http(s) or mailto URL.",
                        },
                        "suggestions": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                            "description": "Questions to start with, per language, for an empty widget.",
                        },
                    },
                },
            }
        },
    }
