"""Paged lists (issue 14: no list answers without a bound).

A list that API.md defines as a JSON array stays an array: paging is the optional query
parameters `page` (from 1) and `page_size`, and the headers `X-Total-Count` (how many there are
in all) and `Link` (RFC 8288: `rel="next"`, `"prev"`, `"first"`, `"last"`, each a URL of the
same request with only `page` changed). Each list's default page size is larger than the list
is in normal use, so a client that never sends `page` sees what it saw before; its maximum bounds
what one request can cost. A `page` past the end is an empty array; a `page` or `page_size`
outside its range is 422 problem+json naming the parameter.
"""

# No `from __future__ import annotations` here: FastAPI reads the dependency's annotations,
# and each list's own bounds are closure values that a string annotation could not resolve.
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Query, Request, Response

T = TypeVar("T")

MAX_PAGE = 1_000_000  # with the largest page size an offset still far inside a BIGINT


@dataclass(frozen=True)
class Paging:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def paging(default: int, maximum: int) -> Callable[[int, int], Paging]:
    """A FastAPI dependency reading `page` and `page_size` (1 ≤ page_size ≤ `maximum`)."""

    def dependency(
        page: Annotated[
            int, Query(ge=1, le=MAX_PAGE, description="第几页 page number, from 1")
        ] = 1,
        page_size: Annotated[
            int,
            Query(
                ge=1,
                le=maximum,
                description=f"每页条数 items per page (default {default}, at most {maximum})",
            ),
        ] = default,
    ) -> Paging:
        return Paging(page, page_size)

    return dependency


def set_headers(request: Request, response: Response, paging: Paging, total: int) -> None:
    """`X-Total-Count` and the RFC 8288 `Link` header of this page."""
    response.headers["X-Total-Count"] = str(total)
    last = max(1, -(-total // paging.page_size))

    def url(page: int) -> str:
        return str(request.url.include_query_params(page=page, page_size=paging.page_size))

    links = [f'<{url(1)}>; rel="first"']
    if paging.page > 1:
        links.append(f'<{url(min(paging.page - 1, last))}>; rel="prev"')
    if paging.page < last:
        links.append(f'<{url(paging.page + 1)}>; rel="next"')
    links.append(f'<{url(last)}>; rel="last"')
    response.headers["Link"] = ", ".join(links)


def page_of(items: Sequence[T], request: Request, response: Response, paging: Paging) -> list[T]:
    """The page of a list already read whole (a case's own trail, documents, attachments:
    bounded by the case), with its headers."""
    set_headers(request, response, paging, len(items))
    return list(items[paging.offset : paging.offset + paging.page_size])
