"""Reference network tables: railways, stations and their ESR codes, sections, border crossings.

Why stations and codes are apart: one place may carry several ESR codes (its own code and
"(эксп.)"/"(перев.)" codes for the direction of carriage). Routing works on codes; people look
for places. Every row names its source edition; estimated values carry a flag.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from temir.kit.db import Base


class RailwayRow(Base):
    __tablename__ = "ref_railways"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # OSJD letter code, e.g. KZH
    numeric_code: Mapped[int | None] = mapped_column(Integer, unique=True)  # OSJD/UIC, e.g. 27
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    short_ru: Mapped[str | None] = mapped_column(String(16))  # Cyrillic abbreviation, e.g. КЗХ
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)


class StationRow(Base):
    """A place: one or more ESR codes of one railway under one base name."""

    __tablename__ = "ref_stations"
    __table_args__ = (UniqueConstraint("railway", "name_ru"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    railway: Mapped[str] = mapped_column(ForeignKey("ref_railways.code"), index=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    name_en_estimated: Mapped[bool] = mapped_column(Boolean, default=True)  # transliterated
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(16))  # station | junction | border | port
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    coord_source: Mapped[str | None] = mapped_column(String(120))
    coord_estimated: Mapped[bool] = mapped_column(Boolean, default=True)
    # why the position is doubted (temir.network.quality), None when nothing contradicts it
    coord_suspect: Mapped[str | None] = mapped_column(Text)
    osm_id: Mapped[str | None] = mapped_column(String(32))
    search_text: Mapped[str] = mapped_column(Text, index=True)  # folded names for search
    source: Mapped[str] = mapped_column(Text)


class StationCodeRow(Base):
    """One ESR code (a TR-4 separation point). ``role``: main, export, transshipment, other."""

    __tablename__ = "ref_station_codes"

    esr: Mapped[str] = mapped_column(String(6), primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("ref_stations.id"), index=True)
    railway: Mapped[str] = mapped_column(ForeignKey("ref_railways.code"), index=True)
    name_ru: Mapped[str] = mapped_column(String(200))  # as TR-4 writes it, suffix included
    role: Mapped[str] = mapped_column(String(16))
    point_type: Mapped[str | None] = mapped_column(String(60))
    # station | junction | border | port, as the network's node list gives it for this code (a
    # place's kind is its most telling code's); None for codes known only from TR-4 Book 2
    kind: Mapped[str | None] = mapped_column(String(16))
    operations: Mapped[str | None] = mapped_column(String(120))  # TR-4 Book 2 operations
    transit_point: Mapped[bool] = mapped_column(Boolean, default=False)
    network_node: Mapped[bool] = mapped_column(Boolean, default=False)  # in sections graph
    source: Mapped[str] = mapped_column(Text)


class SectionRow(Base):
    """An edge of the contracted TR-4 Book 1 graph, km = tariff km."""

    __tablename__ = "ref_sections"
    __table_args__ = (UniqueConstraint("from_esr", "to_esr", "tr4_section"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_esr: Mapped[str] = mapped_column(String(6), index=True)
    to_esr: Mapped[str] = mapped_column(String(6), index=True)
    km: Mapped[int | None] = mapped_column(Integer)  # None: no km (ferry)
    railway: Mapped[str] = mapped_column(String(8))  # or BORDER for zero-km links
    tr4_section: Mapped[str | None] = mapped_column(String(16))
    tr4_section_title: Mapped[str | None] = mapped_column(String(200))
    section_type: Mapped[str | None] = mapped_column(String(80))
    freight: Mapped[bool] = mapped_column(Boolean, default=True)
    estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text)


class SectionPointRow(Base):
    """Every point of every TR-4 Book 1 section in order (for same-section distances)."""

    __tablename__ = "ref_section_points"

    railway: Mapped[str] = mapped_column(String(8), primary_key=True)
    tr4_section: Mapped[str] = mapped_column(String(16), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    tr4_section_title: Mapped[str] = mapped_column(String(200))
    esr: Mapped[str] = mapped_column(String(6), index=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    km_from_start: Mapped[int] = mapped_column(Integer)
    km_to_end: Mapped[int] = mapped_column(Integer)


class TransitPointRow(Base):
    """TR-4 Book 3 transit points (ТП) per railway."""

    __tablename__ = "ref_tr4_transit_points"

    railway: Mapped[str] = mapped_column(String(8), primary_key=True)
    esr: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(200))


class TransitDistanceRow(Base):
    """TR-4 Book 3: km between two transit points of one railway (each pair once)."""

    __tablename__ = "ref_tr4_transit_distances"

    railway: Mapped[str] = mapped_column(String(8), primary_key=True)
    from_esr: Mapped[str] = mapped_column(String(6), primary_key=True)
    to_esr: Mapped[str] = mapped_column(String(6), primary_key=True)
    km: Mapped[int] = mapped_column(Integer)


class StationTransitRow(Base):
    """TR-4 Book 2: km from a station code to one of its transit points."""

    __tablename__ = "ref_tr4_station_transit"

    railway: Mapped[str] = mapped_column(String(8), primary_key=True)
    esr: Mapped[str] = mapped_column(String(6), primary_key=True)
    transit_esr: Mapped[str] = mapped_column(String(6), primary_key=True)
    km: Mapped[int] = mapped_column(Integer)


class BorderCrossingRow(Base):
    """A pair of codes of two railways at one border or junction point (0 km apart)."""

    __tablename__ = "ref_border_crossings"
    __table_args__ = (UniqueConstraint("a_esr", "b_esr", "b_name_ru"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a_esr: Mapped[str] = mapped_column(String(6), index=True)
    a_railway: Mapped[str] = mapped_column(String(8))
    a_country: Mapped[str] = mapped_column(String(2))
    a_name_ru: Mapped[str] = mapped_column(String(200))
    a_name_en: Mapped[str] = mapped_column(String(200))
    b_esr: Mapped[str | None] = mapped_column(String(6), index=True)  # None: foreign, no ESR
    b_railway: Mapped[str] = mapped_column(String(8))
    b_country: Mapped[str] = mapped_column(String(2))
    b_name_ru: Mapped[str] = mapped_column(String(200))
    b_name_en: Mapped[str] = mapped_column(String(200))
    link_type: Mapped[str] = mapped_column(String(24))  # rail | rail_gauge_change | ferry
    km_between: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[str] = mapped_column(String(8))  # high | medium | low
    estimated: Mapped[bool] = mapped_column(Boolean)  # pairing inferred (medium/low)
    basis: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)


class CommodityRow(Base):
    """Commodities of the trade with their sourced ETSNG/GNG codes and group.

    One GNG code may pair with several ETSNG codes (diesel above/below 61 °C flash point share
    GNG 27101943), so the row has its own id; the natural key is (gng, etsng).
    """

    __tablename__ = "ref_commodities"
    __table_args__ = (UniqueConstraint("gng", "etsng"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gng: Mapped[str] = mapped_column(String(8), index=True)
    etsng: Mapped[str | None] = mapped_column(String(6), index=True)
    etsng_name_ru: Mapped[str | None] = mapped_column(Text)
    gng_name_ru: Mapped[str] = mapped_column(Text)
    hs_heading: Mapped[str | None] = mapped_column(String(4))
    group: Mapped[str] = mapped_column(String(40), index=True)
    search_text: Mapped[str] = mapped_column(Text)
    verified: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)


class GngRow(Base):
    """The GNG nomenclature (8-digit codes, Russian names)."""

    __tablename__ = "ref_gng"

    gng: Mapped[str] = mapped_column(String(8), primary_key=True)
    section: Mapped[str] = mapped_column(String(2))
    heading: Mapped[str] = mapped_column(String(4), index=True)
    name_ru: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)


class DatasetEditionRow(Base):
    """Which edition of each reference dataset is loaded, and its content digest."""

    __tablename__ = "ref_editions"

    dataset: Mapped[str] = mapped_column(String(40), primary_key=True)
    edition: Mapped[str] = mapped_column(String(40))
    digest: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
