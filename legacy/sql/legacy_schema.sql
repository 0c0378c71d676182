-- The legacy schema at Alembic revision d896bf2738fb, as pg_dump wrote it (session settings and
-- the alembic_version table left out). accounts.0001 runs it on an empty database so that new
-- and legacy databases reach the multi-user schema through the same conversion.

CREATE TYPE public.applicationstatus AS ENUM (
    'NOT_APPLIED',
    'DRAFTING',
    'APPLIED',
    'UNDER_REVIEW',
    'AWARDED',
    'REJECTED',
    'WITHDRAWN'
);

CREATE TYPE public.grantstatus AS ENUM (
    'ACTIVE',
    'EXPIRED',
    'DRAFT',
    'ARCHIVED'
);

CREATE TYPE public.searchfrequency AS ENUM (
    'DAILY',
    'WEEKLY',
    'TWICE_WEEKLY',
    'MONTHLY'
);

CREATE TABLE public.analyses (
    id integer NOT NULL,
    grant_id integer NOT NULL,
    analysis_date timestamp without time zone DEFAULT now(),
    created_at timestamp without time zone DEFAULT now(),
    updated_at timestamp without time zone DEFAULT now(),
    final_score double precision,
    relevance_score double precision,
    compliance_score double precision,
    feasibility_score double precision,
    relevance_details json,
    compliance_details json,
    feasibility_details json,
    overall_summary character varying
);

CREATE SEQUENCE public.analyses_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.analyses_id_seq OWNED BY public.analyses.id;

CREATE TABLE public.application_history (
    id integer NOT NULL,
    grant_id integer NOT NULL,
    user_id character varying NOT NULL,
    application_date timestamp without time zone,
    status public.applicationstatus NOT NULL,
    status_reason character varying,
    award_amount double precision,
    feedback_notes character varying,
    is_successful_outcome boolean,
    created_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP
);

CREATE SEQUENCE public.application_history_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.application_history_id_seq OWNED BY public.application_history.id;

CREATE TABLE public.grants (
    id integer NOT NULL,
    title character varying NOT NULL,
    description character varying,
    funding_amount double precision,
    deadline timestamp without time zone,
    source_url character varying,
    created_at timestamp without time zone DEFAULT now(),
    updated_at timestamp without time zone DEFAULT now(),
    source_name character varying,
    identified_sector character varying,
    identified_sub_sector character varying,
    geographic_scope character varying,
    specific_location_mentions json,
    raw_source_data json,
    enrichment_log json,
    last_enriched_at timestamp without time zone,
    overall_composite_score double precision
);

CREATE SEQUENCE public.grants_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.grants_id_seq OWNED BY public.grants.id;

CREATE TABLE public.saved_grants (
    user_settings_id integer NOT NULL,
    grant_id integer NOT NULL,
    saved_at timestamp without time zone DEFAULT now()
);

CREATE TABLE public.search_runs (
    id integer NOT NULL,
    "timestamp" timestamp without time zone DEFAULT now(),
    grants_found integer,
    high_priority integer,
    search_filters json,
    created_at timestamp without time zone DEFAULT now()
);

CREATE SEQUENCE public.search_runs_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.search_runs_id_seq OWNED BY public.search_runs.id;

CREATE TABLE public.user_settings (
    id integer NOT NULL,
    telegram_enabled boolean,
    minimum_score double precision,
    notify_categories json,
    schedule_frequency public.searchfrequency,
    schedule_days json,
    schedule_time character varying,
    created_at timestamp without time zone DEFAULT now(),
    updated_at timestamp without time zone DEFAULT now()
);

CREATE SEQUENCE public.user_settings_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.user_settings_id_seq OWNED BY public.user_settings.id;

ALTER TABLE ONLY public.analyses ALTER COLUMN id SET DEFAULT nextval('public.analyses_id_seq'::regclass);

ALTER TABLE ONLY public.application_history ALTER COLUMN id SET DEFAULT nextval('public.application_history_id_seq'::regclass);

ALTER TABLE ONLY public.grants ALTER COLUMN id SET DEFAULT nextval('public.grants_id_seq'::regclass);

ALTER TABLE ONLY public.search_runs ALTER COLUMN id SET DEFAULT nextval('public.search_runs_id_seq'::regclass);

ALTER TABLE ONLY public.user_settings ALTER COLUMN id SET DEFAULT nextval('public.user_settings_id_seq'::regclass);

ALTER TABLE ONLY public.analyses
    ADD CONSTRAINT analyses_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.application_history
    ADD CONSTRAINT application_history_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.grants
    ADD CONSTRAINT grants_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.saved_grants
    ADD CONSTRAINT saved_grants_pkey PRIMARY KEY (user_settings_id, grant_id);

ALTER TABLE ONLY public.search_runs
    ADD CONSTRAINT search_runs_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.user_settings
    ADD CONSTRAINT user_settings_pkey PRIMARY KEY (id);

CREATE INDEX ix_analyses_final_score ON public.analyses USING btree (final_score);

CREATE INDEX ix_application_history_user_id ON public.application_history USING btree (user_id);

CREATE INDEX ix_grants_deadline ON public.grants USING btree (deadline);

CREATE INDEX ix_grants_identified_sector ON public.grants USING btree (identified_sector);

CREATE INDEX ix_grants_identified_sub_sector ON public.grants USING btree (identified_sub_sector);

CREATE INDEX ix_grants_overall_composite_score ON public.grants USING btree (overall_composite_score);

CREATE INDEX ix_grants_title ON public.grants USING btree (title);

ALTER TABLE ONLY public.analyses
    ADD CONSTRAINT analyses_grant_id_fkey FOREIGN KEY (grant_id) REFERENCES public.grants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.application_history
    ADD CONSTRAINT application_history_grant_id_fkey FOREIGN KEY (grant_id) REFERENCES public.grants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.saved_grants
    ADD CONSTRAINT saved_grants_grant_id_fkey FOREIGN KEY (grant_id) REFERENCES public.grants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.saved_grants
    ADD CONSTRAINT saved_grants_user_settings_id_fkey FOREIGN KEY (user_settings_id) REFERENCES public.user_settings(id) ON DELETE CASCADE;
