#!/bin/sh
export DB_PASSWORD=⟦Fk‖TvkMAD-0e0nyx⟧
curl -H "Authorization: Bearer ⟦4P‖0uZqCHb4r0FaYW3UCVGzhXxmccJUyDpJdBSvcV⟧" https://api.example.com/deploy
