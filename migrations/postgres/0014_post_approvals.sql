-- France Sésame, the goods categories each border control post is approved for (PostgreSQL). Keep in
-- step with ../sqlite/0014_post_approvals.sql.

-- A border control post is designated (the European list of posts) for some categories of goods
-- only; a consignment cannot be checked at a post that is not. One row per post and category.
-- Posts that existed before this table have no row: their approvals are "not recorded", the
-- platform claims nothing about them and warns nobody until they are entered.
CREATE TABLE post_approval (
    post_code TEXT NOT NULL REFERENCES post (code) ON DELETE CASCADE,
    goods_category TEXT NOT NULL CHECK (goods_category IN ('live_animals', 'animal_products', 'plants',
                                        'feed', 'food_non_animal', 'fruit_vegetables', 'organic')),
    PRIMARY KEY (post_code, goods_category)
);

-- The agents' alerts desk also takes the goods a partner event sends to a post not approved for
-- them ('post_approval'), beside references naming two dossiers ('references', every earlier
-- alert). Such an alert names one dossier, the post and the goods; it is raised once per
-- dossier, post and goods, however many events repeat them.
ALTER TABLE correlation_alert ADD COLUMN cause TEXT NOT NULL DEFAULT 'references'
    CHECK (cause IN ('references', 'post_approval'));
ALTER TABLE correlation_alert ADD COLUMN post_code TEXT REFERENCES post (code);
ALTER TABLE correlation_alert ADD COLUMN goods_category TEXT
    CHECK (goods_category IN ('live_animals', 'animal_products', 'plants', 'feed', 'food_non_animal',
                              'fruit_vegetables', 'organic'));
CREATE UNIQUE INDEX correlation_alert_post_approval
    ON correlation_alert (dossier_ids, post_code, goods_category) WHERE cause = 'post_approval';
